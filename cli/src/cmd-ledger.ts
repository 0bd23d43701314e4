/**
 * `layerfleet ledger verify --state DIR [--json] [--pin COUNT:ROOT] [--gateway-keys FILE]`: checks
 * the audit ledger of a state directory (DIR/ledger/ledger.bin) on its own, without a running
 * gateway. Exit 0 when it is intact, 1 naming the first problem (and how many more there are).
 *
 * Keys: the gateway's is the one trusted from outside — from --gateway-keys, else
 * DIR/gateway.pub.cose (else the public half of DIR/gateway.sign.cose). Device keys come from the
 * ledger's own 'enrol' entries, and, for devices never enrolled in it (admitted by hello under
 * 'open' access), from DIR/devices.json and then DIR/<id>.sign.cose (public part only).
 * Whoever can rewrite DIR can also replace the key files there: against that, verify with the
 * gateway's key from elsewhere (--gateway-keys) or against a head published earlier (--pin).
 * Without --pin, the gateway's signed checkpoint beside the ledger is the pin (entries cut whole
 * from the end leave a valid chain; only a head known from before shows them missing).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeCoseKey, decodePublicKeys } from '@layerfleet/protocol';
import { KEEPER_ID, LedgerError, verifyLedger, readCheckpoint, resolveLedgerFile, type Checkpoint, type KeyLookup, type LedgerReport } from '@layerfleet/ledger';
import { parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { groupHelp, wantsHelp } from './help.js';
import { existingStateDir } from './state-dir.js';

export const verifySpec: CommandSpec = {
  name: 'ledger verify',
  summary: 'check the audit ledger of a state directory: chain, signatures, torn or altered records; exit 1 naming the first problem',
  flags: {
    state: { type: 'string', value: 'DIR', required: true, description: "the gateway's state directory (or the ledger file itself)" },
    json: { type: 'boolean', description: 'one JSON line: the report, where each key came from, warnings' },
    pin: { type: 'string', value: 'COUNT:ROOT', defaultNote: "the gateway's signed checkpoint", description: 'a head published earlier: its entry count and 64-hex root' },
    'gateway-keys': { type: 'string', value: 'FILE', defaultNote: 'DIR/gateway.pub.cose', description: "the gateway's public keys, from somewhere other than DIR" },
  },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || wantsHelp([sub])) {
    console.log(groupHelp('ledger', 'the audit ledger', [verifySpec]));
    return sub === undefined ? 1 : 0;
  }
  if (sub !== 'verify') throw new Error(`ledger: expected verify, got ${JSON.stringify(sub)} (see \`layerfleet ledger --help\`)`);
  const flags = parseCommandFlags(rest, verifySpec);
  if (!flags) return 0;
  const dir = requiredString(flags, 'state');
  if (!(await resolveLedgerFile(dir).then(() => true, () => false))) await existingStateDir(dir);
  const keys = await keysIn(dir, stringFlag(flags, 'gateway-keys'));
  // Without a head pinned by hand, the gateway's signed checkpoint: it catches entries cut from the end.
  const checkpoint = await signedCheckpoint(dir, keys.lookup(KEEPER_ID));
  if (checkpoint instanceof Error) {
    if (flags.json) console.log(JSON.stringify({ ok: false, error: checkpoint.message }));
    else console.log(`ledger: NOT intact — ${checkpoint.message}`);
    return 1;
  }
  const byHand = parsePin(stringFlag(flags, 'pin'));
  const pinned = byHand ?? (checkpoint ? { count: checkpoint.count, root: checkpoint.root } : undefined);
  if (!byHand && !checkpoint) keys.warnings.push('no signed checkpoint beside the ledger: entries cut from its end would go unnoticed (pin a published head with --pin)');
  let report: LedgerReport;
  try {
    report = await verifyLedger(dir, keys.lookup, pinned ? { pinned } : {});
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    if (flags.json) console.log(JSON.stringify({ ok: false, error: err.message }));
    else console.error(`ledger: ${err.message}`);
    return 1;
  }
  if (flags.json) {
    console.log(JSON.stringify({ ...report, keys: keys.sources, warnings: keys.warnings, ...(checkpoint && !byHand ? { checkpoint } : {}) }));
    return report.ok ? 0 : 1;
  }
  for (const w of keys.warnings) console.error(`ledger: warning: ${w}`);
  const actors = Object.entries(report.actors).sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`).join(', ') || 'none';
  // Device actions the gateway only witnessed are its word, not the device's: an auditor weighs them apart.
  const signed = `by devices ${report.signedBy.devices}, by the gateway ${report.signedBy.gateway}${report.witnessed ? ` (${report.witnessed} of them device actions it only witnessed)` : ''}`;
  if (report.ok) {
    console.log(`ledger ${report.path}: intact`);
    console.log(`  entries  ${report.entries}`);
    console.log(`  root     ${report.root}`);
    console.log(`  last     ${report.lastHash}`);
    console.log(`  actors   ${actors}`);
    console.log(`  signed   ${signed}`);
    console.log(`  gateway  key from ${keys.sources[KEEPER_ID]}`);
    if (byHand) console.log(`  pinned   the first ${byHand.count} entries match the pinned root`);
    else if (checkpoint) console.log(`  checkpoint  the first ${checkpoint.count} entries match the gateway's signed checkpoint of ${new Date(checkpoint.ts).toISOString()}`);
    return 0;
  }
  const [first, ...more] = report.problems;
  console.log(`ledger ${report.path}: NOT intact — ${first!.message}`);
  for (const p of more.slice(0, 9)) console.log(`  also: ${p.message}`);
  if (more.length > 9) console.log(`  … and ${more.length - 9} more${report.problems.length >= 100 ? ' (stopped counting at 100)' : ''}`);
  console.log(`  (${report.entries} entries read; actors ${actors}; signed ${signed})`);
  return 1;
}

/** The checkpoint beside the ledger of `dir` (a state directory or the ledger file), checked with the gateway's key. */
async function signedCheckpoint(dir: string, gatewayKey: Uint8Array | undefined): Promise<Checkpoint | null | Error> {
  let ledgerDir: string;
  try {
    ledgerDir = dirname(await resolveLedgerFile(dir));
  } catch {
    return null; // verify names the missing ledger
  }
  if (!gatewayKey) return null; // verify says the gateway's key is missing
  return readCheckpoint(ledgerDir, gatewayKey);
}

function parsePin(v: string | undefined): { count: number; root: string } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+):([0-9a-fA-F]{64})$/.exec(v);
  if (!m) throw new Error(`ledger verify: --pin expects COUNT:ROOT (the count and 64-hex root of a published head), got ${JSON.stringify(v)}`);
  return { count: Number(m[1]), root: m[2]!.toLowerCase() };
}

/** Where each key came from, for --json, and what could not be read (a warning, never fatal: verify names what it then cannot check). */
async function keysIn(dir: string, gatewayKeys?: string): Promise<{ lookup: KeyLookup; sources: Record<string, string>; warnings: string[] }> {
  const keys = new Map<string, Uint8Array>();
  const sources: Record<string, string> = {};
  const warnings: string[] = [];
  const take = (id: string, key: Uint8Array, source: string) => {
    if (keys.has(id)) return;
    keys.set(id, key);
    sources[id] = source;
  };

  const gatewayFile = gatewayKeys ?? join(dir, `${KEEPER_ID}.pub.cose`);
  const gateway = await readIfExists(gatewayFile);
  if (gatewayKeys && !gateway) throw new Error(`ledger verify: --gateway-keys ${gatewayKeys}: no such file`);
  if (gateway) {
    try {
      const pk = decodePublicKeys(gateway);
      if (pk.id !== KEEPER_ID) warnings.push(`${gatewayFile}: holds the keys of ${JSON.stringify(pk.id)}, not of "${KEEPER_ID}"`);
      else take(KEEPER_ID, pk.signPublic, gatewayFile);
    } catch (err) {
      warnings.push(`${gatewayFile}: ${(err as Error).message}`);
    }
  }

  const devicesFile = join(dir, 'devices.json');
  const devices = await readIfExists(devicesFile);
  if (devices) {
    try {
      const list = (JSON.parse(Buffer.from(devices).toString('utf8')) as { devices?: Array<{ id?: unknown; signPublic?: unknown }> }).devices ?? [];
      for (const d of list) {
        if (typeof d.id === 'string' && d.id !== KEEPER_ID && typeof d.signPublic === 'string' && /^[0-9a-f]{64}$/.test(d.signPublic)) take(d.id, new Uint8Array(Buffer.from(d.signPublic, 'hex')), devicesFile);
      }
    } catch (err) {
      warnings.push(`${devicesFile}: ${(err as Error).message}`);
    }
  }

  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new Error(`ledger verify: cannot read --state ${dir}: ${(err as Error).message}`);
  }
  for (const name of names.filter((n) => n.endsWith('.sign.cose')).sort()) {
    const id = name.slice(0, -'.sign.cose'.length);
    if (id === KEEPER_ID && gatewayKeys) continue; // the gateway's key comes from the given file only
    const file = join(dir, name);
    try {
      // the file is the device's private COSE_Key; only its public x is used
      take(id, decodeCoseKey((await readIfExists(file))!, { crv: 'Ed25519', kid: id }, file).x, file);
    } catch (err) {
      warnings.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { lookup: (id) => keys.get(id), sources, warnings };
}

async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
