// One writer per ledger, and the signed checkpoint that shows entries cut from its end.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Ledger, ledgerFile, readCheckpoint, signerFromKeys, verifyLedger } from '../src/index.js';
import { ledgerFixture } from '@layerfleet/test-support';
import { generateDeviceKeys } from '@layerfleet/protocol';

const { gw, lookup, now } = ledgerFixture(generateDeviceKeys);
const keeper = signerFromKeys(gw);

const notes = (n: number) => Array.from({ length: n }, (_, i) => ({ action: 'note' as const, data: { i } }));

test('a second writer is refused while the first holds the ledger; a dead writer\'s lock is taken over', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-lock-'));
  const first = await Ledger.open(dir, { keeper, now });
  await t.throwsAsync(Ledger.open(dir, { keeper, now }), { message: new RegExp(`is being written by process ${process.pid} on ${hostname()}`) });
  await first.close();
  const second = await Ledger.open(dir, { keeper, now });
  await second.close();
  // A lock left by a process that has exited (a crash): the next writer takes it.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  await writeFile(join(dirname(ledgerFile(dir)), 'ledger.lock'), JSON.stringify({ pid: Number(dead), host: hostname(), since: 1 }));
  const third = await Ledger.open(dir, { keeper, now });
  await third.append({ action: 'note', data: { after: 'a crash' } });
  await third.close();
});

test("a killed writer that is not reaped yet (a zombie) holds no lock: a gateway restarted at once after a SIGKILL starts", async (t) => {
  if (process.platform !== 'linux') return t.pass('zombies are told through /proc, on Linux only');
  const dir = await mkdtemp(join(tmpdir(), 'lf-lock-zombie-'));
  (await Ledger.open(dir, { keeper, now })).close();
  // A parent that forks a child which exits at once, and does not reap it for 30 s.
  const parent = spawn('python3', ['-c', 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => parent.kill());
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  await new Promise((r) => setTimeout(r, 100));
  t.notThrows(() => process.kill(zombie, 0), 'the zombie still answers kill(pid, 0)');
  await writeFile(join(dirname(ledgerFile(dir)), 'ledger.lock'), JSON.stringify({ pid: zombie, host: hostname(), since: 1 }));
  const next = await Ledger.open(dir, { keeper, now });
  await next.close();
});

test('the checkpoint is signed by the gateway and pins the head: a cut from the end is found, a forged checkpoint refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-checkpoint-'));
  const ledger = await Ledger.open(dir, { keeper, now });
  await ledger.appendMany(notes(10));
  t.true(await ledger.checkpoint());
  t.false(await ledger.checkpoint(), 'nothing new, nothing written');
  const head = ledger.head();
  await ledger.close();
  const ledgerDir = dirname(ledgerFile(dir));
  const checkpoint = readCheckpoint(ledgerDir, gw.signPublic);
  t.like(checkpoint, { count: 10, root: head.root });
  if (!checkpoint || checkpoint instanceof Error) return;

  const whole = await readFile(ledgerFile(dir));
  const intact = await verifyLedger(dir, lookup, { pinned: checkpoint });
  t.true(intact.ok);
  // Cut the last entry whole: still a valid chain on its own, but short of the checkpoint.
  let last = 8;
  for (let at = 8; at < whole.length; at += 8 + whole.readUInt32BE(at)) last = at;
  await truncate(ledgerFile(dir), last);
  t.true((await verifyLedger(dir, lookup)).ok, 'without the checkpoint the cut is invisible');
  const cut = await verifyLedger(dir, lookup, { pinned: checkpoint });
  t.false(cut.ok);
  t.regex(cut.problems[0]!.message, /holds 9 entries but was pinned at 10 — entries were removed from its end/);

  const file = join(ledgerDir, 'checkpoint.json');
  const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...stored, count: 9 }));
  t.regex((readCheckpoint(ledgerDir, gw.signPublic) as Error).message, /signature does not verify with the gateway's key/);
  await writeFile(file, '{"count": "x"}');
  t.regex((readCheckpoint(ledgerDir, gw.signPublic) as Error).message, /expected \{count, root/);
});
