/**
 * What a command accepts, declared once: the parser reads it to parse and check the flags, and
 * the help printer reads the same declaration, so `--help` cannot drift from what is parsed.
 */

/** `number` accepts SI suffixes (5M, 1.1G, 100k) and exponents; `broker-url` only mqtt(s):// and ws(s)://. */
export type FlagType = 'string' | 'boolean' | 'number' | 'broker-url';

export interface FlagSpec {
  type: FlagType;
  /** One line: what the flag does. */
  description: string;
  /** Applied by the parser when the flag is absent, and shown in the help. */
  default?: string | number | boolean;
  /** Shown in the help when the default is worked out at run time (e.g. "DIR/gateway.pub.cose"). */
  defaultNote?: string;
  /** What a number counts: "ms", "bytes", "MAC/s", … */
  unit?: string;
  /** The value's name in the help, e.g. FILE; defaults by type. */
  value?: string;
  required?: boolean;
}

export interface CommandSpec {
  /** The words after `layerfleet`, e.g. "board info". */
  name: string;
  /** One line for the help and the parent command's list. */
  summary: string;
  /** Positional arguments, in order, e.g. ["ID"]; none unless given. */
  positionals?: Array<{ name: string; description: string; optional?: boolean; repeats?: boolean }>;
  flags: Record<string, FlagSpec>;
}
