/**
 * The `layerfleet` command explains itself: every command and subcommand answers --help with
 * every flag it accepts, described; numbers, broker URLs and state directories are checked
 * where they are typed, and the errors say what was expected. The commands are taken from
 * `layerfleet --help` and the flags from the parser's own refusal of an unknown flag, so a new
 * command or flag cannot be forgotten here.
 */
import test from 'ava';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastJsonLine, runCli, type CliRun } from '../src/run-cli.js';

/** `  name   summary` lines of a help's command list, starting after `heading` (or at the top). */
function listedNames(help: string, heading: RegExp | null): string[] {
  const lines = help.split('\n');
  const start = heading === null ? 0 : lines.findIndex((l) => heading.test(l)) + 1;
  const names: string[] = [];
  for (const line of lines.slice(start)) {
    const m = /^ {2}([a-z][a-z0-9-]*) {2,}\S/.exec(line);
    if (m?.[1]) names.push(m[1]);
    else if (heading !== null && names.length > 0) break;
  }
  return names;
}

/** The flags a command accepts, as its parser lists them when refusing an unknown one. */
function acceptedFlags(refusal: CliRun): string[] {
  const known = /\(known: ([^)]*)\)/.exec(refusal.stderr);
  if (known?.[1]) return known[1].split(' ');
  if (/it takes no flags/.test(refusal.stderr)) return [];
  throw new Error(`no list of known flags in: ${refusal.stderr}`);
}

/** Leaf commands (`agent`, `board info`, …): the top-level list, each group's subcommands expanded. */
async function leafCommands(): Promise<string[][]> {
  const top = await runCli(['--help'], 30_000);
  if (top.code !== 0) throw new Error(`layerfleet --help exited ${top.code}: ${top.stderr}`);
  const leaves: string[][] = [];
  for (const name of listedNames(top.stdout, null)) {
    const help = await runCli([name, '--help'], 60_000);
    if (help.code !== 0) throw new Error(`layerfleet ${name} --help exited ${help.code}: ${help.stderr}`);
    const subs = /^subcommands:/m.test(help.stdout) ? listedNames(help.stdout, /^subcommands:/) : [];
    if (subs.length === 0) leaves.push([name]);
    for (const sub of subs) leaves.push([name, sub]);
  }
  return leaves;
}

test('every command and subcommand answers --help with each flag it accepts, described', async (t) => {
  const leaves = await leafCommands();
  t.true(leaves.length >= 15, `commands found: ${leaves.map((l) => l.join(' ')).join(', ')}`);
  for (const words of ['agent', 'gateway', 'board info', 'board emulate', 'board build', 'devices list', 'devices revoke', 'ledger verify', 'certs init', 'keys rotate']) {
    t.true(leaves.some((l) => l.join(' ') === words), `${words} is walked`);
  }
  for (const command of leaves) {
    const name = command.join(' ');
    const help = await runCli([...command, '--help'], 60_000);
    t.is(help.code, 0, `${name} --help: ${help.stderr}`);
    t.regex(help.stdout, new RegExp(`^layerfleet ${name}: \\S`), `${name}: a one-line description first`);
    t.regex(help.stdout, new RegExp(`^usage: layerfleet ${name}`, 'm'), `${name}: a usage line`);
    const short = await runCli([...command, '-h'], 60_000);
    t.is(short.stdout, help.stdout, `${name} -h is --help`);
    const refusal = await runCli([...command, '--no-such-flag'], 60_000);
    t.not(refusal.code, 0, `${name} refuses an unknown flag`);
    for (const flag of acceptedFlags(refusal)) {
      // `  --flag [VALUE]   description`: the flag at the start of a line, then words after a gap
      const line = help.stdout.split('\n').find((l) => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
      t.truthy(line, `${name}: ${flag} is in its help`);
      t.regex(line ?? '', /\S {2,}\S/, `${name}: ${flag} has a description`);
    }
  }
});

test('numbers take SI suffixes and exponents; garbage is refused naming the flag and the expected form', async (t) => {
  const si = await runCli(['sim', '--requests', '1.2k', '--devices', '12', '--lambda', '3e0', '--json'], 60_000);
  t.is(si.code, 0, si.stderr);
  t.is(lastJsonLine(si).requests, 1200);
  const garbage = await runCli(['sim', '--requests', '5X'], 30_000);
  t.is(garbage.code, 1);
  t.regex(garbage.stderr, /--requests: expected a number .*5M.*got "5X"/);
  const help = await runCli(['agent', '--help'], 30_000);
  t.regex(help.stdout, /--macs-budget N .*unit: MAC\/s/);
  t.regex(help.stdout, /SI suffixes/);
});

test('broker URLs: only mqtt://, mqtts://, ws://, wss:// with a host; the refusal shows the right form', async (t) => {
  const bare = await runCli(['agent', '--id', 'x', '--broker', '127.0.0.1:1883'], 30_000);
  t.is(bare.code, 1);
  t.regex(bare.stderr, /--broker: expected mqtt:\/\/HOST:PORT, mqtts:\/\/, ws:\/\/ or wss:\/\/; got 127\.0\.0\.1:1883 — did you mean mqtt:\/\/127\.0\.0\.1:1883\?/);
  const http = await runCli(['keys', 'rotate', '--id', 'x', '--broker', 'http://gw.example:8080'], 30_000);
  t.is(http.code, 1);
  t.regex(http.stderr, /--broker: expected mqtt:\/\/HOST:PORT.*got http:\/\/gw\.example:8080 — did you mean ws:\/\/gw\.example:8080\/mqtt\?/);
  const noHost = await runCli(['agent', '--id', 'x', '--broker', 'mqtt://'], 30_000);
  t.is(noHost.code, 1);
  t.regex(noHost.stderr, /--broker: expected mqtt:\/\/HOST:PORT/);
});

test('a command that only reads state refuses a missing --state by name; one that sets state up creates it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-cli-state-'));
  const missing = join(dir, 'missing-dir');
  for (const args of [['devices', 'list'], ['devices', 'revoke', 'w1'], ['ledger', 'verify'], ['keys', 'rotate', '--id', 'w1']]) {
    const run = await runCli([...args, '--state', missing], 30_000);
    t.not(run.code, 0, `${args.join(' ')} with a missing state directory`);
    t.true(run.stderr.includes(`--state: no state directory at ${missing}`), `${args.join(' ')}: ${run.stderr}`);
  }
  const fresh = join(dir, 'new', 'state');
  const enroll = await runCli(['enroll', '--id', 'w1', '--state', fresh], 30_000);
  t.is(enroll.code, 0, enroll.stderr);
  t.true(enroll.stdout.trim().length > 0, 'a token on stdout');
  t.true((await stat(fresh)).isDirectory());
});

test('an unknown flag is named, with the flags known and a pointer to --help', async (t) => {
  const run = await runCli(['devices', 'list', '--stat', 'x'], 30_000);
  t.is(run.code, 1);
  t.regex(run.stderr, /unknown flag --stat for `layerfleet devices list` \(known: --state --json\); see `layerfleet devices list --help`/);
  const sub = await runCli(['board', 'flash'], 30_000);
  t.is(sub.code, 1);
  t.regex(sub.stderr, /board: expected emulate, info or build, got "flash" \(see `layerfleet board --help`\)/);
});
