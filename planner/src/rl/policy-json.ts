/**
 * A trained rl-pdnn policy as JSON, so training (minutes to hours) and planning (the gateway,
 * the simulator) are separate runs; the simulator package reads and writes the files. Weights are base64 of little-endian float32, the
 * network's own precision, so a reloaded policy gives bit-identical Q-values and placements.
 * The optimiser state and replay buffer are not kept: a reloaded policy can go on training,
 * but Adam and the buffer start afresh.
 */
import { RlPdnn, type RlPdnnHyper, type TrainingLog } from './rl-pdnn.js';

export const POLICY_FORMAT = 'layerfleet-rl-pdnn/1';

export interface PolicyJson {
  format: typeof POLICY_FORMAT;
  slots: number;
  models: string[];
  maxLayers: number;
  inputSize: number;
  hyper: RlPdnnHyper;
  episodes: number;
  /** ε the next training episode would use */
  epsilon: number;
  /** W_0, b_0, W_1, b_1, … with their shapes */
  weights: { shape: number[]; data: string }[];
  log: TrainingLog;
}

const LOG_FIELDS = ['reward', 'penalty', 'constraintsMet', 'steps', 'epsilon'] as const;
const round = (x: number): number => Number(x.toPrecision(7));

export function policyToJson(agent: RlPdnn): PolicyJson {
  const shapes = agent.dqn.online.tensorShapes;
  const weights = agent.dqn.online.exportTensors().map((t, i) => {
    const buf = Buffer.alloc(t.length * 4);
    for (let k = 0; k < t.length; k++) buf.writeFloatLE(t[k]!, k * 4);
    return { shape: shapes[i]!, data: buf.toString('base64') };
  });
  const log = Object.fromEntries(LOG_FIELDS.map((f) => [f, agent.log[f].map(round)])) as unknown as TrainingLog;
  return {
    format: POLICY_FORMAT, slots: agent.slots, models: [...agent.models], maxLayers: agent.maxLayers,
    inputSize: agent.encoder.inputSize, hyper: { ...agent.hyper, hidden: [...agent.hyper.hidden] },
    episodes: agent.episodes, epsilon: agent.epsilon, weights, log,
  };
}

/** Validates every field before building anything; errors read "<where>: <field>: …". */
export function policyFromJson(json: unknown, where = 'policy'): RlPdnn {
  const fail = (field: string, msg: string): never => { throw new Error(`${where}: ${field}: ${msg}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(json)) return fail('(top level)', 'expected an object');
  const o = json;
  const int = (v: unknown, field: string, min: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(field, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  const real = (v: unknown, field: string, lo: number, hi: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : fail(field, `expected a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);

  if (o.format !== POLICY_FORMAT) fail('format', `expected '${POLICY_FORMAT}', got ${JSON.stringify(o.format)}`);
  const slots = int(o.slots, 'slots', 1);
  const models = Array.isArray(o.models) && o.models.length > 0 && o.models.every((m) => typeof m === 'string') && new Set(o.models).size === o.models.length
    ? (o.models as string[]) : fail('models', 'expected a non-empty array of distinct names');
  const maxLayers = int(o.maxLayers, 'maxLayers', 3);
  const inputSize = int(o.inputSize, 'inputSize', 1);
  if (inputSize !== models.length + 1 + slots * 6) fail('inputSize', `${inputSize} does not match ${models.length} models + 1 + ${slots} slots × 6`);
  if (!isObj(o.hyper)) return fail('hyper', 'expected an object');
  const h = o.hyper;
  const hidden = Array.isArray(h.hidden) && h.hidden.length > 0 ? h.hidden.map((n, i) => int(n, `hyper.hidden[${i}]`, 1)) : fail('hyper.hidden', 'expected a non-empty array of widths');
  const hyper: RlPdnnHyper = {
    gamma: real(h.gamma, 'hyper.gamma', 0, 1), epsilonStart: real(h.epsilonStart, 'hyper.epsilonStart', 0, 1),
    bufferSize: int(h.bufferSize, 'hyper.bufferSize', 1), targetUpdate: int(h.targetUpdate, 'hyper.targetUpdate', 1),
    lr: real(h.lr, 'hyper.lr', 0, 1), epsilonDecay: real(h.epsilonDecay, 'hyper.epsilonDecay', 0, 1),
    epsilonMin: real(h.epsilonMin, 'hyper.epsilonMin', 0, 1), hidden, batchSize: int(h.batchSize, 'hyper.batchSize', 1),
    randomEpisodes: int(h.randomEpisodes, 'hyper.randomEpisodes', 0), clipNorm: real(h.clipNorm, 'hyper.clipNorm', 0, Infinity),
    seed: int(h.seed, 'hyper.seed', -(2 ** 31)),
  };
  const episodes = int(o.episodes, 'episodes', 0);
  const epsilon = real(o.epsilon, 'epsilon', 0, 1);

  const sizes = [inputSize, ...hidden, slots];
  const want: number[][] = [];
  for (let k = 0; k + 1 < sizes.length; k++) want.push([sizes[k]!, sizes[k + 1]!], [sizes[k + 1]!]);
  if (!Array.isArray(o.weights) || o.weights.length !== want.length) fail('weights', `expected ${want.length} tensors for a ${sizes.join('×')} network, got ${Array.isArray(o.weights) ? o.weights.length : typeof o.weights}`);
  const tensors = (o.weights as unknown[]).map((w, i) => {
    const at = `weights[${i}]`;
    if (!isObj(w)) return fail(at, 'expected { shape, data }');
    if (!Array.isArray(w.shape) || w.shape.join() !== want[i]!.join()) fail(`${at}.shape`, `expected [${want[i]!.join(', ')}], got ${JSON.stringify(w.shape)}`);
    const n = want[i]!.reduce((a, b) => a * b, 1);
    if (typeof w.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(w.data)) return fail(`${at}.data`, 'expected base64 text');
    const buf = Buffer.from(w.data, 'base64');
    if (buf.length !== n * 4) fail(`${at}.data`, `holds ${buf.length} bytes, expected ${n * 4} (${n} float32)`);
    const t = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      t[k] = buf.readFloatLE(k * 4);
      if (!Number.isFinite(t[k]!)) fail(`${at}.data`, `value ${k} is ${t[k]}`);
    }
    return t;
  });

  if (!isObj(o.log)) return fail('log', 'expected an object');
  const log = o.log;
  const columns = LOG_FIELDS.map((f) => {
    const col = log[f];
    if (!Array.isArray(col) || !col.every((x) => typeof x === 'number' && Number.isFinite(x))) return fail(`log.${f}`, 'expected an array of finite numbers');
    return col as number[];
  });
  if (columns.some((c) => c.length !== columns[0]!.length)) fail('log', `columns differ in length (${columns.map((c) => c.length).join(', ')})`);

  const agent = new RlPdnn({ slots, models, maxLayers, ...hyper });
  agent.dqn.online.importTensors(tensors);
  agent.dqn.target.copyFrom(agent.dqn.online);
  agent.dqn.episodes = episodes;
  agent.dqn.epsilon = epsilon;
  LOG_FIELDS.forEach((f, i) => agent.log[f].push(...columns[i]!));
  return agent;
}
