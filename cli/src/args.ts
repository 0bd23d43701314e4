/**
 * The flag parser: `--name value`, `--flag`, `--name=value`, positionals where a command declares
 * them; unknown flags are errors. Hand-written rather than node:util's parseArgs, which knows
 * only strings and booleans and words its errors for programmers: here every type is checked
 * where it is parsed and every error names the flag, what was expected, and `--help`.
 */
import { checkBrokerUrl } from './broker-url.js';
import type { CommandSpec } from './command-spec.js';
import { commandHelp, wantsHelp } from './help.js';
import { parseQuantity } from './quantity.js';

export type { CommandSpec, FlagSpec } from './command-spec.js';

export type Flags = Record<string, string | number | boolean>;

export interface ParsedCommand { flags: Flags; positionals: string[] }

/** The command's flags and positionals, defaults applied; `null` once help was printed (exit 0). */
export function parseCommand(argv: readonly string[], spec: CommandSpec): ParsedCommand | null {
  if (wantsHelp(argv)) {
    console.log(commandHelp(spec));
    return null;
  }
  return parseArgv(argv, spec);
}

/** For commands without positionals: their flags, or `null` once help was printed. */
export function parseCommandFlags(argv: readonly string[], spec: CommandSpec): Flags | null {
  return parseCommand(argv, spec)?.flags ?? null;
}

/**
 * The first API, kept for tools outside this package (hil-tests' attack CLI): flag kinds only,
 * no help; values stay strings and numberFlag reads them, SI suffixes included.
 */
export function parseFlags(argv: readonly string[], kinds: Record<string, 'string' | 'boolean'>): Flags {
  const flags = Object.fromEntries(Object.entries(kinds).map(([name, type]) => [name, { type, description: '' }]));
  return parseArgv(argv, { name: 'flags', summary: '', flags }).flags;
}

function parseArgv(argv: readonly string[], spec: CommandSpec): ParsedCommand {
  const seeHelp = `see \`layerfleet ${spec.name} --help\``;
  const flags: Flags = {};
  const positionals: string[] = [];
  const accepts = spec.positionals ?? [];
  const maxPositionals = accepts.some((p) => p.repeats) ? Infinity : accepts.length;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      if (positionals.length >= maxPositionals) throw new Error(`unexpected argument ${JSON.stringify(arg)}; ${seeHelp}`);
      positionals.push(arg);
      continue;
    }
    const [name = '', inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string?, string?];
    const flag = spec.flags[name];
    if (!flag) {
      const known = Object.keys(spec.flags).map((k) => `--${k}`).join(' ');
      throw new Error(`unknown flag ${arg.split('=')[0]} for \`layerfleet ${spec.name}\`${known ? ` (known: ${known})` : ' (it takes no flags)'}; ${seeHelp}`);
    }
    if (flag.type === 'boolean') {
      flags[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value: ${flag.description}; ${seeHelp}`);
    flags[name] = checkValue(name, flag.type, value, flag.unit);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flags[name] === undefined && flag.default !== undefined) flags[name] = flag.default;
    if (flags[name] === undefined && flag.required) throw new Error(`${spec.name}: --${name} is required: ${flag.description}; ${seeHelp}`);
  }
  const missing = accepts.filter((p) => !p.optional && !p.repeats).slice(positionals.length);
  if (missing[0]) throw new Error(`\`layerfleet ${spec.name}\` needs ${missing[0].name}: ${missing[0].description}; ${seeHelp}`);
  return { flags, positionals };
}

function checkValue(name: string, type: 'string' | 'number' | 'broker-url', value: string, unit: string | undefined): string | number {
  if (type === 'broker-url') return checkBrokerUrl(name, value);
  if (type === 'string') return value;
  const n = parseQuantity(value);
  if (n === undefined) throw new Error(`--${name}: expected a number${unit ? ` of ${unit}` : ''} (like 250, 5e6, 100k, 5M or 1.1G), got ${JSON.stringify(value)}`);
  return n;
}

/** A number flag's value (absent: `fallback`); a string value (from parseFlags) is read with SI suffixes. */
export function numberFlag(flags: Flags, name: string): number | undefined;
export function numberFlag(flags: Flags, name: string, fallback: number): number;
export function numberFlag(flags: Flags, name: string, fallback?: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' ? parseQuantity(v) : undefined;
  if (n === undefined) throw new Error(`--${name}: expected a number (like 250, 5e6, 100k, 5M or 1.1G), got ${JSON.stringify(v)}`);
  return n;
}

/** A number flag that has a default in its spec, so is always there. */
export function requiredNumber(flags: Flags, name: string): number {
  const v = numberFlag(flags, name);
  if (v === undefined) throw new Error(`--${name}: expected a number`);
  return v;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A string flag that has a default or is required in its spec, so is always there. */
export function requiredString(flags: Flags, name: string): string {
  const v = stringFlag(flags, name);
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}
