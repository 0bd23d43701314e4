// Entry point of `npm run hil`.
import { main } from './hil-main.js';

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  console.error(`hil: ${err.message}`);
  process.exit(2);
});
