/**
 * Field readers for decoded CBOR: each returns the typed value or throws a MessageError naming
 * the message type and the exact field path, so a rejection tells the sender what to fix.
 */
export class MessageError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'MessageError';
  }
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new MessageError(path, `expected a map, got ${describe(value)}`);
  return value;
}

export function str(o: Obj, key: string, path: string, maxLength = 256): string {
  const v = o[key];
  if (typeof v !== 'string') throw new MessageError(`${path}.${key}`, `expected a text string, got ${describe(v)}`);
  if (v.length > maxLength) throw new MessageError(`${path}.${key}`, `longer than ${maxLength} characters`);
  return v;
}

export function num(o: Obj, key: string, path: string, min = -Infinity, max = Infinity): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MessageError(`${path}.${key}`, `expected a finite number, got ${describe(v)}`);
  if (v < min || v > max) throw new MessageError(`${path}.${key}`, `${v} outside [${min}, ${max}]`);
  return v;
}

export function int(o: Obj, key: string, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = num(o, key, path, min, max);
  if (!Number.isInteger(v)) throw new MessageError(`${path}.${key}`, `expected an integer, got ${v}`);
  return v;
}

export function bytes(o: Obj, key: string, path: string, maxLength: number, exactLength?: number): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array)) throw new MessageError(`${path}.${key}`, `expected a byte string, got ${describe(v)}`);
  if (exactLength !== undefined && v.length !== exactLength) throw new MessageError(`${path}.${key}`, `expected ${exactLength} bytes, got ${v.length}`);
  if (v.length > maxLength) throw new MessageError(`${path}.${key}`, `${v.length} bytes exceeds the limit of ${maxLength}`);
  return v;
}

export function arr(o: Obj, key: string, path: string, maxLength: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new MessageError(`${path}.${key}`, `expected an array, got ${describe(v)}`);
  if (v.length > maxLength) throw new MessageError(`${path}.${key}`, `${v.length} items exceeds the limit of ${maxLength}`);
  return v;
}

export function optional<T>(o: Obj, key: string, read: () => T): T | undefined {
  return o[key] === undefined || o[key] === null ? undefined : read();
}

export function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T {
  const v = str(o, key, path);
  if (!(allowed as readonly string[]).includes(v)) throw new MessageError(`${path}.${key}`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `text ${JSON.stringify(value.slice(0, 32))}`;
  return typeof value === 'object' ? 'a map' : `${typeof value} ${String(value)}`;
}
