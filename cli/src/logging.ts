/**
 * Structured logs for long-running commands (gateway, agent, ha-bridge), with pino: one JSON
 * object per line, or pino-pretty's human-readable lines when the log stream is a terminal
 * (`--log-format` chooses). They go to stderr, the stream these commands have always logged on:
 * stdout carries the command's result (the gateway's `listening` line, a source's `--json`
 * summary) and the demo, the rigs and journald read the log from stderr.
 *
 * The packages below the CLI log plain sentences through a `log(line)` callback. `lineLogger`
 * turns each into a record: the module it comes from and its level are read off the sentence's
 * known opening words, and the ids it names become fields — `device`, and `requestId` with
 * `source` (the id every MQTT message of that request carries, so a log line and a telemetry
 * `inference` message meet on it). Lines about one request are `debug`: at `info` the log says
 * nothing per inference. Secrets never reach the output: enrolment tokens and passwords are
 * masked in the text, and pino's `redact` censors such fields.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { FlagSpec } from './args.js';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const LOG_FLAGS: Record<string, FlagSpec> = {
  'log-level': { type: 'string', value: LOG_LEVELS.join('|'), default: 'info', description: 'the least severe log records written (debug: one line per request event too)' },
  'log-format': { type: 'string', value: 'json|pretty', defaultNote: 'pretty on a terminal, json otherwise', description: 'log records as JSON lines, or human-readable' },
};

/** Field names pino censors wherever they appear (one level deep). */
export const REDACTED_FIELDS = ['password', 'token', 'enrolToken', 'secret', 'authorization', '*.password', '*.token', '*.enrolToken', '*.secret'];

/** Enrolment tokens (`lfe1.<id>.<secret>`), `password=…`/`token=…` pairs: masked in any text. */
export function maskSecrets(text: string): string {
  return text
    .replace(/\b(lfe1\.[A-Za-z0-9_.-]+?\.)[A-Za-z0-9_-]{8,}/g, '$1[redacted]')
    .replace(/\b(password|token|secret)(["']?\s*[=:]\s*["']?)[^\s"',}]+/gi, '$1$2[redacted]');
}

export interface LoggerOptions { name: string; level?: string; format?: string; quiet?: boolean }

/** Loaded only for a terminal (or --log-format pretty): a JSON logger does not pay for it. */
export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const level = opts.quiet ? 'silent' : opts.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`--log-level: expected ${LOG_LEVELS.join(', ')}, got ${level}`);
  const format = opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new Error(`--log-format: expected json or pretty, got ${format}`);
  const options = { name: opts.name, level, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' }, base: { pid: process.pid } };
  // synchronous writes: a process that exits right after a line (a fatal error) still gets it out
  if (format === 'json') return pino(options, pino.destination({ dest: 2, sync: true }));
  const { default: pretty } = await import('pino-pretty');
  return pino(options, pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, ignore: 'pid,hostname,module', messageFormat: '{if module}[{module}] {end}{msg}', translateTime: 'HH:MM:ss.l' }));
}

interface Classified { module: string; level: 'error' | 'warn' | 'info' | 'debug'; fields: Record<string, string> }

/**
 * A gateway or agent sentence's module, level and ids. Rules are tried in order; the first that
 * matches decides. Unknown sentences are `info` from the logger's own module.
 */
const RULES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => Classified]> = [
  [/^(LEDGER|ledger)\b.*\b(FAILED|cannot)\b/, () => ({ module: 'ledger', level: 'error', fields: {} })],
  [/^(LEDGER|ledger)\b/, () => ({ module: 'ledger', level: 'info', fields: {} })],
  [/^request ([^/\s]+)\/(\S+?):/, (m) => ({ module: 'orchestrator', level: 'debug', fields: { source: m[1]!, requestId: m[2]! } })],
  [/^duplicate request ([^/\s]+)\/(\S+)/, (m) => ({ module: 'orchestrator', level: 'warn', fields: { source: m[1]!, requestId: m[2]! } })],
  [/^rejected \(([^)]+)\)/, (m) => ({ module: 'rejections', level: 'warn', fields: { reason: m[1]! } })],
  [/^stream ([^/\s]+)\/(\S+?):.*(above the|giving up)/, (m) => ({ module: 'routes', level: 'warn', fields: { source: m[1]!, model: m[2]! } })],
  [/^stream ([^/\s]+)\/(\S+?):/, (m) => ({ module: 'routes', level: 'info', fields: { source: m[1]!, model: m[2]! } })],
  [/^cannot send (\S+) to (\S+?):/, (m) => ({ module: 'orchestrator', level: 'warn', fields: { message: m[1]!, device: m[2]! } })],
  [/^device (\S+) /, (m) => ({ module: 'registry', level: 'info', fields: { device: m[1]! } })],
  [/^tls: /, () => ({ module: 'tls', level: 'info', fields: {} })],
  [/^\[([^\]]+)\] /, (m) => ({ module: 'agent', level: 'info', fields: { device: m[1]! } })],
];

export function classifyLine(line: string): Classified | null {
  for (const [re, make] of RULES) {
    const m = re.exec(line);
    if (m) return make(m);
  }
  return null;
}

/** A `log(line)` callback for the packages below, writing structured records through `logger` (a child per module). */
export function lineLogger(logger: Logger): (line: string) => void {
  const children = new Map<string, Logger>();
  const child = (module: string) => children.get(module) ?? children.set(module, logger.child({ module })).get(module)!;
  return (line: string) => {
    const text = maskSecrets(line);
    const c = classifyLine(text);
    if (!c) return logger.info(text);
    child(c.module)[c.level](c.fields, text);
  };
}
