export { main } from './main.js';
export { parseFlags } from './args.js';
