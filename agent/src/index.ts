export * from './agent.js';
export * from './source.js';
export * from './layer-store.js';
export * from './self-benchmark.js';
export * from './layer-executor.js';
export * from './board-executor.js';
export * from './enrol.js';
export * from './rotate-keys.js';
export { startBoardDevices, stopBoardDevices, BoardDevice, boardDeviceId, type BoardLineOptions } from './board-devices.js';
