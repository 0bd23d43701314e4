/**
 * A rig file: which boards on which ports (or emulated), and how the fleet around them runs.
 * Real boards are named by USB serial number, so a rig finds a board again after a reset
 * re-enumerates it under another /dev/ttyACM*; a bare port path works too.
 *
 *   { "name": "bench-1",
 *     "boards": [ { "name": "host-1", "emulate": "host" }, { "name": "qemu-1", "emulate": "qemu" },
 *                 { "name": "nucleo", "usbSerial": "066DFF555654725187171731" } ],
 *     "agents": { "boardHost": { "id": "pi-1", "macsBudget": 400000, "boardMacsBudget": 5000000 } },
 *     "fleet": { "inferences": 60, "rate": 20 },
 *     "suites": ["bit-exact", "split-inference", "line-noise", "unplug"] }
 */
import { readFileSync } from 'node:fs';
import { BOARD_HOST, type BoardHost } from '@layerfleet/fleet';

export const SUITE_NAMES = ['bit-exact', 'split-inference', 'line-noise', 'unplug'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export type RigBoard =
  | { name: string; emulate: 'host' | 'qemu' }
  | { name: string; port: string }
  | { name: string; usbSerial: string };

export interface Rig {
  name: string;
  boards: RigBoard[];
  fleet: { inferences: number; rate: number; lineNoise: number };
  /** The agent the boards are attached to (its id and MAC/s budgets), beside the fleet's workers and source. */
  boardHost: BoardHost;
  suites: SuiteName[];
}

export function parseRig(json: unknown, source: string): Rig {
  const fail = (field: string, why: string): never => { throw new Error(`rig ${source}: ${field}: ${why}`); };
  if (typeof json !== 'object' || json === null) fail('(top level)', 'expected a JSON object');
  const r = json as Record<string, unknown>;
  const name = typeof r['name'] === 'string' ? r['name'] : fail('name', 'expected text');
  if (!Array.isArray(r['boards']) || r['boards'].length === 0) fail('boards', 'expected a non-empty array');
  const names = new Set<string>();
  const boards = (r['boards'] as unknown[]).map((b, i): RigBoard => {
    const at = `boards[${i}]`;
    if (typeof b !== 'object' || b === null) return fail(at, 'expected an object');
    const o = b as Record<string, unknown>;
    const boardName = typeof o['name'] === 'string' && o['name'] ? o['name'] : fail(`${at}.name`, 'expected text');
    if (names.has(boardName)) fail(`${at}.name`, `${boardName} is named twice`);
    names.add(boardName);
    const kinds = ['emulate', 'port', 'usbSerial'].filter((k) => k in o);
    if (kinds.length !== 1) fail(at, 'expected exactly one of "emulate", "port", "usbSerial"');
    if ('emulate' in o) {
      if (o['emulate'] !== 'host' && o['emulate'] !== 'qemu') fail(`${at}.emulate`, 'expected "host" or "qemu"');
      return { name: boardName, emulate: o['emulate'] as 'host' | 'qemu' };
    }
    if ('port' in o) return { name: boardName, port: typeof o['port'] === 'string' ? o['port'] : fail(`${at}.port`, 'expected a path') };
    return { name: boardName, usbSerial: typeof o['usbSerial'] === 'string' ? o['usbSerial'] : fail(`${at}.usbSerial`, 'expected text') };
  });
  const f = (r['fleet'] ?? {}) as Record<string, unknown>;
  const num = (key: string, fallback: number, ok: (n: number) => boolean) => {
    const v = f[key] ?? fallback;
    return typeof v === 'number' && ok(v) ? v : fail(`fleet.${key}`, `expected a number, got ${JSON.stringify(v)}`);
  };
  const fleet = {
    inferences: num('inferences', 60, (n) => Number.isInteger(n) && n >= 3),
    rate: num('rate', 20, (n) => n > 0),
    lineNoise: num('lineNoise', 2e-4, (n) => n >= 0 && n < 0.05),
  };
  const suites = (r['suites'] ?? [...SUITE_NAMES]) as unknown[];
  if (!Array.isArray(suites)) fail('suites', 'expected an array');
  for (const s of suites) if (!SUITE_NAMES.includes(s as SuiteName)) fail('suites', `unknown suite ${JSON.stringify(s)} (known: ${SUITE_NAMES.join(', ')})`);
  const agents = (r['agents'] ?? {}) as Record<string, unknown>;
  const h = (agents['boardHost'] ?? {}) as Record<string, unknown>;
  const budget = (key: 'macsBudget' | 'boardMacsBudget') => {
    const v = h[key] ?? BOARD_HOST[key];
    return typeof v === 'number' && v > 0 ? v : fail(`agents.boardHost.${key}`, `expected MAC/s > 0, got ${JSON.stringify(v)}`);
  };
  const hostId = h['id'] ?? BOARD_HOST.id;
  if (typeof hostId !== 'string' || !/^[A-Za-z0-9_-]+$/.test(hostId)) fail('agents.boardHost.id', 'expected a device id (letters, digits, - and _)');
  const boardHost = { id: hostId as string, macsBudget: budget('macsBudget'), boardMacsBudget: budget('boardMacsBudget') };
  return { name, boards, fleet, boardHost, suites: suites as SuiteName[] };
}

export function loadRig(path: string): Rig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`rig ${path}: cannot read it (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`rig ${path}: not JSON (${(err as Error).message})`);
  }
  return parseRig(json, path);
}
