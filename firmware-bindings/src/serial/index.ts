export * from './cobs.js';
export * from './frame.js';
export * from './frame-splitter.js';
export * from './commands.js';
export * from './transport.js';
export * from './link.js';
export * from './board.js';
export * from './noisy-transport.js';
