// The systemd units under deploy/ against the real CLI: every flag their ExecStart= passes, with
// the example environment files' values (and the alternatives they offer in comments) expanded,
// must be one `layerfleet <command> --help` lists, so renaming a flag breaks this test rather than
// a fleet's next restart. Also: the settings every unit needs, docs/deploy.md naming both, and
// `systemd-analyze verify` where systemd is installed (skipped elsewhere, CI included).
import test from 'ava';
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BIN, runCli } from '../src/run-cli.js';
import { expandSpecifiers, parseEnvFile, parseUnit, splitCommandLine, unitValue } from '../src/systemd-unit.js';

const ROOT = resolve(BIN, '../..');
const DEPLOY = join(ROOT, 'deploy');

interface Shipped {
  file: string;
  /** the instance the checks expand %i to (a template unit's) */
  instance?: string;
  /** EnvironmentFile= as the unit names it → the example shipped beside the unit */
  envFiles: Record<string, string>;
  command: string;
}

const UNITS: Shipped[] = [
  { file: 'layerfleet-gateway.service', envFiles: { '/etc/layerfleet/gateway.env': 'gateway.env.example' }, command: 'gateway' },
  { file: 'layerfleet-agent@.service', instance: 'edge-a', envFiles: { '/etc/layerfleet/agent-edge-a.env': 'agent.env.example' }, command: 'agent' },
];

const read = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');

/** The flags `layerfleet <command> --help` lists. */
const helpFlags = new Map<string, Promise<Set<string>>>();
function flagsOf(command: string): Promise<Set<string>> {
  let flags = helpFlags.get(command);
  if (!flags) {
    flags = runCli([command, '--help'], 30_000).then((run) => {
      if (run.code !== 0) throw new Error(`layerfleet ${command} --help exited ${run.code}: ${run.stderr}`);
      return new Set([...run.stdout.matchAll(/^\s+(--[a-z0-9-]+)/gm)].map((m) => m[1]!));
    });
    helpFlags.set(command, flags);
  }
  return flags;
}

/**
 * The environments an example file stands for: as written, and once per commented-out
 * alternative (`#KEY=VALUE` for a KEY it sets), so the alternatives stay real commands too.
 */
function environments(example: string): Array<{ label: string; env: Map<string, string> }> {
  const text = read(example);
  const env = parseEnvFile(text);
  const out = [{ label: example, env }];
  for (const m of text.matchAll(/^#([A-Z_][A-Z0-9_]*)=(.*)$/gm)) {
    if (!env.has(m[1]!)) continue;
    out.push({ label: `${example} with ${m[1]}=${m[2]}`, env: new Map([...env, [m[1]!, m[2]!.trim()]]) });
  }
  return out;
}

for (const shipped of UNITS) {
  test(`${shipped.file}: has what a service needs`, (t) => {
    const unit = parseUnit(read(shipped.file));
    for (const [section, key] of [['Unit', 'Description'], ['Unit', 'After'], ['Service', 'ExecStart'], ['Service', 'Restart'], ['Service', 'User'], ['Install', 'WantedBy']] as const) {
      t.truthy(unitValue(unit, section, key), `[${section}] ${key}= is missing`);
    }
    t.true(unit.get('Unit')!.get('After')!.join(' ').split(/\s+/).includes('network-online.target'), 'After=network-online.target');
    t.true(unit.get('Unit')!.get('Wants')?.join(' ').split(/\s+/).includes('network-online.target') ?? false, 'Wants=network-online.target (After= alone does not pull it in)');
    t.is(unitValue(unit, 'Service', 'Restart'), 'always');
    t.is(unit.get('Service')!.get('ExecStart')!.length, 1, 'one ExecStart= for Type=simple');
    // cmd-gateway.ts and cmd-agent.ts stop cleanly on these two and no other
    t.true(['SIGTERM', 'SIGINT'].includes(unitValue(unit, 'Service', 'KillSignal') ?? 'SIGTERM'), 'KillSignal= must be one the CLI handles');
    t.is(unitValue(unit, 'Service', 'NoNewPrivileges'), 'yes');
    t.is(unitValue(unit, 'Service', 'ProtectSystem'), 'strict');
    t.truthy(unitValue(unit, 'Service', 'StateDirectory'), 'StateDirectory= (writable under ProtectSystem=strict)');
    if (shipped.instance !== undefined) t.true(shipped.file.endsWith('@.service'), 'a template unit');
    for (const envFile of unit.get('Service')!.get('EnvironmentFile') ?? []) {
      const path = expandSpecifiers(envFile.replace(/^-/, ''), shipped.instance);
      t.truthy(shipped.envFiles[path], `EnvironmentFile=${envFile}: no example for ${path} in this test`);
    }
  });

  test(`${shipped.file}: ExecStart= passes only flags \`layerfleet ${shipped.command} --help\` lists`, async (t) => {
    const unit = parseUnit(read(shipped.file));
    const execStart = expandSpecifiers(unitValue(unit, 'Service', 'ExecStart')!, shipped.instance);
    const known = await flagsOf(shipped.command);
    const examples = (unit.get('Service')!.get('EnvironmentFile') ?? []).map((f) => shipped.envFiles[expandSpecifiers(f.replace(/^-/, ''), shipped.instance)]!);
    const cases = examples.length === 0 ? [{ label: 'no environment file', env: new Map<string, string>() }] : examples.flatMap(environments);
    t.true(cases.length >= 1);
    for (const { label, env } of cases) {
      const words = splitCommandLine(execStart, env);
      const bin = words.findIndex((w) => w.endsWith('bin/layerfleet.mjs'));
      t.true(bin >= 1 && /(^|\/)node$/.test(words[0]!.replace(/^[-@+!:]+/, '')), `${label}: ExecStart= runs node bin/layerfleet.mjs: ${words.join(' ')}`);
      t.is(words[bin + 1], shipped.command, `${label}: the command`);
      const args = words.slice(bin + 2);
      const used = args.filter((w) => w.startsWith('--')).map((w) => w.split('=')[0]!);
      t.true(used.length > 0);
      for (const flag of used) t.true(known.has(flag), `${label}: ${flag} is not a flag of \`layerfleet ${shipped.command}\` (it has ${[...known].join(' ')})`);
      for (const w of args) t.false(w.includes('$') || w.includes('%'), `${label}: ${w} is left unexpanded`);
      if (shipped.command === 'agent') t.true(args.includes(`--id`) && args[args.indexOf('--id') + 1] === shipped.instance, `${label}: --id is the instance name`);
      t.true(args.includes('--state'), `${label}: an explicit --state, not the working directory's .layerfleet`);
    }
  });
}

test('docs/deploy.md names both units and the example environment files', (t) => {
  const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
  for (const name of ['deploy/layerfleet-gateway.service', 'deploy/layerfleet-agent@.service', 'deploy/gateway.env.example', 'deploy/agent.env.example']) {
    t.true(doc.includes(name), `docs/deploy.md does not mention ${name}`);
  }
  t.true(readFileSync(join(ROOT, 'README.md'), 'utf8').includes('docs/deploy.md'), 'README.md links docs/deploy.md');
});

const ANALYZE = 'systemd-analyze';
const haveAnalyze = (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
  if (!dir) return false;
  try { accessSync(join(dir, ANALYZE), constants.X_OK); return true; } catch { return false; }
});
const verifyTitle = 'systemd-analyze verify accepts both units';
// Not a CI requirement: a machine without systemd skips this, CI included.
(haveAnalyze ? test : test.skip)(haveAnalyze ? verifyTitle : `${verifyTitle} — skipped: systemd-analyze is not installed (Debian: apt-get install systemd)`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-units-'));
  try {
    const paths: string[] = [];
    for (const shipped of UNITS) {
      // verify checks that ExecStart='s program exists: point it at this node, wherever it lives
      const text = read(shipped.file).replaceAll('/usr/bin/node', process.execPath);
      const path = join(dir, shipped.instance === undefined ? shipped.file : shipped.file.replace('@.', `@${shipped.instance}.`));
      await writeFile(path, text);
      paths.push(path);
    }
    const run = await promisify(execFile)(ANALYZE, ['verify', ...paths], { cwd: dir }).then(
      (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
    // verify exits 0 on a misspelt setting and only warns: any line about our units is a failure
    const ours = run.out.split('\n').filter((l) => l.includes('layerfleet'));
    t.is(run.code, 0, run.out);
    t.deepEqual(ours, [], run.out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
