/** `--help` text, made from the same CommandSpec the parser uses. */
import type { CommandSpec, FlagSpec } from './command-spec.js';

const HELP_FLAGS = ['--help', '-h'];

/** True when argv asks for help anywhere: help wins over every other flag, right or wrong. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => HELP_FLAGS.includes(a));
}

/** A number the way the flags accept it back: 1000000 → 1M. */
export function formatQuantity(n: number): string {
  for (const [suffix, scale] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (Math.abs(n) >= scale && Number.isInteger(n / scale)) return `${n / scale}${suffix}`;
  }
  return String(n);
}

function valueName(spec: FlagSpec): string {
  if (spec.type === 'boolean') return '';
  if (spec.value) return spec.value;
  return spec.type === 'number' ? 'N' : spec.type === 'broker-url' ? 'URL' : 'VALUE';
}

function flagUsage(name: string, spec: FlagSpec): string {
  const value = valueName(spec);
  return `--${name}${value ? ` ${value}` : ''}`;
}

function flagNotes(spec: FlagSpec): string {
  const notes: string[] = [];
  if (spec.required) notes.push('required');
  if (spec.default !== undefined && spec.default !== false) {
    notes.push(`default ${typeof spec.default === 'number' ? formatQuantity(spec.default) : String(spec.default)}`);
  } else if (spec.defaultNote) notes.push(`default ${spec.defaultNote}`);
  if (spec.unit) notes.push(`unit: ${spec.unit}`);
  return notes.length ? ` [${notes.join('; ')}]` : '';
}

export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.flags).filter(([, f]) => f.required).map(([n, f]) => flagUsage(n, f));
  const positionals = (spec.positionals ?? []).map((p) => {
    const word = p.repeats ? `${p.name}...` : p.name;
    return p.optional ? `[${word}]` : word;
  });
  const optional = Object.values(spec.flags).some((f) => !f.required) ? ['[flags]'] : [];
  return ['layerfleet', spec.name, ...positionals, ...required, ...optional].join(' ');
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`layerfleet ${spec.name}: ${spec.summary}`, '', `usage: ${usageLine(spec)}`];
  if (spec.positionals?.length) {
    lines.push('', 'arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)}  ${p.description}`);
  }
  // one column for every description, however long the longest `--flag VALUE` is
  const width = Math.max(24, ...Object.entries(spec.flags).map(([name, flag]) => flagUsage(name, flag).length)) + 2;
  lines.push('', 'flags:');
  for (const [name, flag] of Object.entries(spec.flags)) {
    lines.push(`  ${flagUsage(name, flag).padEnd(width)}${flag.description}${flagNotes(flag)}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(width)}print this help and exit`);
  if (Object.values(spec.flags).some((f) => f.type === 'number')) lines.push('', 'numbers take SI suffixes: 100k = 100e3, 5M = 5e6, 1.1G = 1.1e9 (k, M, G are powers of 1000; exponents like 5e6 work too)');
  return lines.join('\n');
}

/** Help for a command made of subcommands (`board`, `devices`, …): their usage lines. */
export function groupHelp(name: string, summary: string, subcommands: readonly CommandSpec[]): string {
  const lines = [`layerfleet ${name}: ${summary}`, '', `usage: layerfleet ${name} <subcommand> [flags]`, '', 'subcommands:'];
  const width = Math.max(...subcommands.map((s) => s.name.length - name.length - 1));
  for (const s of subcommands) lines.push(`  ${s.name.slice(name.length + 1).padEnd(width)}  ${s.summary}`);
  lines.push('', `layerfleet ${name} <subcommand> --help: that subcommand's flags`);
  return lines.join('\n');
}
