/** The reproduction of rl-pdnn's evaluation (`layerfleet reproduce`): its own entry point, so the simulator's users do not load it. */
export { runFrames, runTiming, CELLS, type ReproOptions } from './experiments.js';
export { runCellsParallel } from './parallel.js';
export { writeReport } from './report.js';
