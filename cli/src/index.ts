export { main } from './main.js';
export { parseFlags, parseCommand, parseCommandFlags, numberFlag, stringFlag, type Flags, type CommandSpec, type FlagSpec } from './args.js';
