export * from './run-cli.js';
export * from './hil-main.js';
export * from './rig.js';
export * from './junit.js';

export { until } from '@layerfleet/test-support';
export * from './enrolled-agents.js';
export * from './watched-fleet.js';
export * from './mosquitto.js';
export * from './budgeted-fleet.js';
