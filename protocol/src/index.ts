export * from './topics.js';
export * from './messages.js';
export * from './fields.js';
export * from './rejections.js';
