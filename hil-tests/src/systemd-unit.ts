/**
 * Just enough of systemd's unit-file and EnvironmentFile syntax to check the units shipped under
 * deploy/ (systemd.syntax(7), systemd.service(7) "Command lines", systemd.exec(5) EnvironmentFile=):
 * sections, `key=value` with repeated keys kept in order, `#`/`;` comments, a trailing backslash
 * joining the next line (with a space, as systemd does), `%i`-style specifiers, and `$VAR` /
 * `${VAR}` expansion in a command line. Quoting is the simple kind: '…' and "…" group words.
 */

export type UnitFile = Map<string, Map<string, string[]>>;

/** Sections by name, each a map from key to every value given for it, in order. */
export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A trailing backslash continues the line; comment lines inside a continuation are skipped.
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1);
      let next = lines[++i]!.trim();
      while ((next.startsWith('#') || next.startsWith(';')) && i + 1 < lines.length) next = lines[++i]!.trim();
      line = `${line.trimEnd()} ${next}`;
    }
    if (line.endsWith('\\')) line = line.slice(0, -1).trimEnd();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]!) ?? new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`line ${i + 1}: expected [Section] or key=value, got ${JSON.stringify(line)}`);
    if (!section) throw new Error(`line ${i + 1}: ${line.slice(0, eq).trim()}= before any [Section]`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

/** The last value of `section`'s `key` (what systemd uses for a single-valued setting). */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** An EnvironmentFile: `KEY=VALUE` lines, `#`/`;` comments, values optionally in quotes. */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`environment file: expected KEY=VALUE, got ${JSON.stringify(line)}`);
    let value = m[2]!.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    env.set(m[1]!, value);
  }
  return env;
}

/** `%i`, `%I` (the instance name) and `%%`; other specifiers are refused so a new one is noticed. */
export function expandSpecifiers(text: string, instance: string | undefined): string {
  return text.replace(/%(.)/g, (_, c: string) => {
    if (c === '%') return '%';
    if (c === 'i' || c === 'I') {
      if (instance === undefined) throw new Error(`%${c} in a unit that is not a template instance`);
      return instance;
    }
    throw new Error(`specifier %${c} is not handled here`);
  });
}

/**
 * A command line as systemd runs it: words split on whitespace (quotes group), then `${VAR}`
 * replaced within its word and `$VAR` standing alone split into words; a variable missing from
 * `env` is an error here (systemd would expand it to nothing, which hides a typo).
 */
export function splitCommandLine(line: string, env: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? m[3]!;
    const lookup = (name: string) => {
      const value = env.get(name);
      if (value === undefined) throw new Error(`\$${name} is not set by the environment file`);
      return value;
    };
    const alone = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (alone) {
      words.push(...lookup(alone[1]!).split(/\s+/).filter(Boolean));
      continue;
    }
    words.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => lookup(name)));
  }
  return words;
}
