// Public API of @layerfleet/firmware-bindings: the firmware builds, the serial link to a board,
// and emulated boards.
export * from './firmware-build.js';
export * from './layer-blob.js';
export * from './golden-job.js';
export * from './serial/index.js';
export * from './emulated-board.js';
export * from './emulator-programs.js';
export * from './find-port.js';
export * from './wasm-kernels.js';
