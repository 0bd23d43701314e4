#!/usr/bin/env node
/**
 * One party of a split-training run as a process, without the CLI:
 *   node party-main.js --role trainer|edge --id ID --config FILE --broker URL --state DIR [--delay MS]
 * (`layerfleet train-split --role …` is the same.) Tests start parties this way.
 */
import { runEdge, runTrainer } from './roles.js';

const args = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i]!, v = argv[i + 1];
  if (!k.startsWith('--') || v === undefined) { console.error(`party-main: expected --flag value pairs, got ${JSON.stringify(k)}`); process.exit(2); }
  args.set(k.slice(2), v);
}
const need = (k: string) => { const v = args.get(k); if (v === undefined) { console.error(`party-main: --${k} is required`); process.exit(2); } return v; };
const o = { id: need('id'), configPath: need('config'), brokerUrl: need('broker'), stateDir: need('state') };
const role = need('role');
const run = role === 'trainer' ? runTrainer(o) : role === 'edge' ? runEdge({ ...o, delayMs: Number(args.get('delay') ?? 0) }) : Promise.reject(new Error(`--role: trainer or edge, not ${role}`));
run.then((code) => { process.exitCode = code; }, (err: Error) => { console.error(`${o.id}: ${err.message}`); process.exitCode = 1; });
