export { main } from './main.js';
export { parseFlags } from './args.js';
export { runFleet, BOARD_HOST, WORKERS, SOURCE_ID, type FleetBoard, type FleetEvent, type FleetOptions, type FleetSummary } from './fleet.js';
