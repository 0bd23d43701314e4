export { main } from './main.js';
export { parseFlags, numberFlag, stringFlag, type Flags } from './args.js';
export { barChart } from './charts/index.js';
export { runFleet, BOARD_HOST, WORKERS, SOURCE_ID, type BoardHost, type FleetBoard, type FleetEvent, type FleetOptions, type FleetSummary } from './fleet.js';
export { startBoardDevices, stopBoardDevices, BoardDevice, boardDeviceId, type BoardLineOptions } from './board-devices.js';
