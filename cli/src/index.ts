export { main } from './main.js';
export { parseFlags, numberFlag, stringFlag, type Flags } from './args.js';
