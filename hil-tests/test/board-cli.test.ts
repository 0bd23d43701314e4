// The board commands as a user runs them: emulate a board, ask it for its info, provision it,
// and try to write firmware on a machine with no flashing tool.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { testNeeding } from '@layerfleet/test-support/ava';
import { BIN, runCli } from '../src/index.js';

async function emulate(target: string): Promise<{ port: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'board', 'emulate', '--target', target], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const stop = () => new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`board emulate printed no port within 60 s: ${stderr}`)), 60_000);
      // Its reason is on stderr: a board that cannot start fails the test at once, saying why.
      child.once('close', (code) => { clearTimeout(timer); reject(new Error(`board emulate exited (${code}): ${stderr}`)); });
      createInterface({ input: child.stdout }).once('line', (l) => { clearTimeout(timer); resolve(l); });
    });
    const { port } = JSON.parse(line) as { port: string };
    return { port, stop };
  } catch (err) {
    await stop(); // never leave the emulator running past its test
    throw err;
  }
}

// The QEMU board's image is built with arm-none-eabi-gcc, then run by qemu-system-arm.
for (const [target, needs] of [['host', []], ['qemu', ['arm-none-eabi-gcc', 'qemu-system-arm']]] as const) {
  testNeeding(needs).serial(`board emulate --target ${target} prints a port that board info and flash --port use`, async (t) => {
    t.timeout(240_000);
    const board = await emulate(target);
    try {
      t.regex(board.port, /^\/dev\/pts\/\d+$/);
      const info = await runCli(['board', 'info', '--port', board.port]);
      t.is(info.code, 0, info.stderr);
      const i = JSON.parse(info.stdout) as Record<string, unknown>;
      t.is(i.board, target === 'host' ? 'host' : 'qemu-mps2-an500');
      t.true((i.linkBitsPerSecond as number) > 0);
      t.deepEqual(i.loaded, []);
      const flash = await runCli(['flash', '--port', board.port, '--layers', '1,2,3']);
      t.is(flash.code, 0, flash.stderr);
      t.regex(flash.stderr, /slot 0: conv2, 2668 bytes, board stored CRC-32 0x[0-9a-f]{8}/);
      t.regex(flash.stderr, /verify: 3 layers bit-exact with the golden vector on the board/);
      t.deepEqual((JSON.parse(flash.stdout.trim().split('\n').pop()!) as { slots: unknown }).slots, [
        { slot: 0, layer: 'conv2' }, { slot: 1, layer: 'fc1' }, { slot: 2, layer: 'fc2' },
      ]);
      const again = await runCli(['board', 'info', '--port', board.port]);
      t.deepEqual((JSON.parse(again.stdout) as { loaded: number[] }).loaded, [0, 1, 2]);
    } finally {
      await board.stop();
    }
  });
}

test('flash --firmware names the tools it looked for when none is installed', async (t) => {
  const run = await runCli(['flash', '--firmware'], 60_000);
  t.is(run.code === 0, false);
  t.regex(run.stderr, /no flashing tool found \(looked for st-flash, openocd, dfu-util\)/);
  const withPort = await runCli(['flash', '--firmware', '--port', '/dev/ttyACM9'], 60_000);
  t.regex(withPort.stderr, /looked for stm32flash, st-flash, openocd, dfu-util/);
  const wrong = await runCli(['flash', '--firmware', '--tool', 'jlink'], 60_000);
  t.regex(wrong.stderr, /--tool: jlink is not one of stm32flash, st-flash, openocd, dfu-util/);
});

test('board info on a port that does not exist fails naming it', async (t) => {
  const run = await runCli(['board', 'info', '--port', '/dev/does-not-exist'], 60_000);
  t.not(run.code, 0);
  t.regex(run.stderr, /serial port \/dev\/does-not-exist: /);
});

// Every target: the Cortex-M7 ones need the ARM toolchain.
testNeeding(['arm-none-eabi-gcc'])('board build builds every target and reports the STM32H743 image against its memories', async (t) => {
  t.timeout(240_000);
  const run = await runCli(['board', 'build'], 230_000);
  t.is(run.code, 0, run.stderr);
  const m = /flash ([\d,]+) of 2,097,152 B .*; AXI SRAM ([\d,]+) of 524,288 B/.exec(run.stdout);
  t.truthy(m, run.stdout);
  const num = (s: string) => Number(s.replace(/,/g, ''));
  t.true(num(m![1]!) > 4096 && num(m![1]!) < 2 << 20, 'the image has code in it and fits the flash');
  t.true(num(m![2]!) > 384 * 1024 && num(m![2]!) <= 512 * 1024, 'the arena is in AXI SRAM and fits');
});
