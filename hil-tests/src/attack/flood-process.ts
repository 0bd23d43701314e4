/**
 * The connection flood as a process of its own, as an attacker would be: its sockets and its
 * CPU are not the gateway's. Takes the FloodOptions as JSON in argv[2] and prints the
 * FloodReport as JSON on stdout.
 */
import { connectionFlood, type FloodOptions } from './connection-flood.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as FloodOptions;
connectionFlood(opts).then((report) => {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}, (err: Error) => {
  process.stderr.write(`flood: ${err.message}\n`);
  process.exit(1);
});
