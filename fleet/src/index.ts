/** A whole fleet on this machine as supervised processes: the demo and the HIL rigs run it. */
export { runFleet, BOARD_HOST, WORKERS, SOURCE_ID, type BoardHost, type FleetBoard, type FleetAction, type FleetEvent, type FleetOptions, type FleetSummary } from './fleet.js';
export { summarize, percentile, type InferenceTelemetry } from './demo-summary.js';
