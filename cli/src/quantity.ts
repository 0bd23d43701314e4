/**
 * Numbers as people type them on a command line: `5M`, `1.1G`, `100k`, `5e6`, `0.2`. The
 * suffixes are SI (k = 1e3, M = 1e6, G = 1e9), never binary: a MAC budget or a byte count of
 * `1M` is one million, the same in every flag, so nobody has to remember which flag is which.
 */
const SI_SUFFIXES: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([kMG]?)$/;

/** The value of `text`, or `undefined` when it is not a number with an optional SI suffix. */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, digits = '', suffix = ''] = m;
  const value = Number(digits) * (SI_SUFFIXES[suffix] ?? 1);
  return Number.isFinite(value) ? value : undefined;
}
