// A port where nothing answers (a board without our firmware, the wrong device, a dead line): `board
// info` and `flash` must give up within seconds and say what they sent and what they expected,
// as stm32flash does, instead of retrying silently for minutes.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runCli } from '../src/run-cli.js';

/** A pseudo-terminal whose other end is held open and never written: a silent serial port. */
async function silentPort(): Promise<{ path: string; child: ChildProcess }> {
  const child = spawn('python3', ['-c', 'import os, pty, sys, time\nm, s = pty.openpty()\nprint(os.ttyname(s), flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 pty helper exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { path: line.trim(), child };
}

const ports: ChildProcess[] = [];
test.after.always(() => { for (const c of ports) c.kill(); });

for (const command of [['board', 'info'], ['flash']]) {
  test(`${command.join(' ')} on a silent port fails naming what it sent and expected`, async (t) => {
    const { path, child } = await silentPort();
    ports.push(child);
    const started = Date.now();
    // 60 s is the test's own guard against a hang; the command itself gives up after 3 s, under 5 s with node's start
    const run = await runCli([...command, '--port', path], 60_000);
    t.log(`${command.join(' ')} gave up after ${Date.now() - started} ms`);
    t.is(run.code, 1, run.stderr);
    t.regex(run.stderr, new RegExp(`info: no answer from ${path.replace(/\//g, '\\/')} within 3000 ms`));
    t.regex(run.stderr, /sent `info` requests .* expected an `info` answer/);
    t.regex(run.stderr, /firmware running on that port/);
  });
}
