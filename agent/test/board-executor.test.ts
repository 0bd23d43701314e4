// Layers on an attached board (the host firmware on a pty), as the agent runs them: installed
// from plan weights, run, and provisioned again by themselves after the board resets.
import test from 'ava';
import { layerToWire, loadLenetGolden, loadLenetInt8, runLayerInt8 } from '@layerfleet/models';
import { Board, openSerialTransport, startEmulatedBoard } from '@layerfleet/firmware-bindings';
import { BoardExecutor } from '../src/index.js';

test('a board executor runs installed layers bit-exact, and re-provisions them after a reset button press', async (t) => {
  t.timeout(120_000);
  const emu = await startEmulatedBoard('host', { id: 'exec-test' });
  t.teardown(() => emu.stop()); // also when the board never answers the handshake below
  const board = await Board.open(await openSerialTransport(emu.port));
  try {
    const model = loadLenetInt8();
    const v = loadLenetGolden().vectors[2]!;
    const executor = new BoardExecutor(board);
    for (const i of [1, 2, 3]) await executor.install('lenet', i, layerToWire(model.layers[i]!));
    t.is(executor.size, 3);
    t.true(executor.has('lenet', 2));
    t.false(executor.has('lenet', 0));
    t.is(executor.macs('lenet', 1, 3), 240000 + 48000 + 10080);
    const input = Int8Array.from(v.outputs[0]!.data);
    const expected = [1, 2, 3].reduce<Int8Array>((x, i) => runLayerInt8(model.layers[i]!, x), input);
    t.deepEqual(Array.from(await executor.run('lenet', 1, 3, input)), Array.from(expected));
    t.deepEqual(Array.from(await executor.run('lenet', 1, 3, input)), v.outputs[3]!.data);

    const rebooted = new Promise<void>((r) => board.onBoot(() => r()));
    await emu.pressReset();
    await rebooted;
    t.deepEqual((await board.refreshInfo()).loaded, [], 'the reset emptied the board');
    t.deepEqual(Array.from(await executor.run('lenet', 1, 3, input)), v.outputs[3]!.data);
    t.is(executor.reprovisions, 3, 'each layer provisioned again once');
    t.deepEqual((await board.refreshInfo()).loaded.length, 3);
    const tel = executor.telemetry() as { board: { boots: number; reprovisions: number }; line: { bitsPerSecond: number } };
    t.is(tel.board.boots, 1);
    t.is(tel.board.reprovisions, 3);
    t.true(tel.line.bitsPerSecond > 0);
    await t.throwsAsync(executor.run('lenet', 0, 1, new Int8Array(784)), { message: /no weights for lenet layer 0 on board exec-test/ });
  } finally {
    await board.close();
    await emu.stop();
  }
});

test('when the arena is full the executor resets the board and provisions what it needs', async (t) => {
  t.timeout(120_000);
  const emu = await startEmulatedBoard('host', { id: 'arena-test' });
  t.teardown(() => emu.stop()); // also when the board never answers the handshake below
  const board = await Board.open(await openSerialTransport(emu.port));
  try {
    const model = loadLenetInt8();
    const executor = new BoardExecutor(board);
    // fc1 (≈48 KiB) installed under many model names fills the 384 KiB arena and the 16 slots.
    const fc1 = layerToWire(model.layers[2]!);
    for (let k = 0; k < 12; k++) await executor.install(`copy${k}`, 2, fc1);
    const input = Int8Array.from(loadLenetGolden().vectors[0]!.outputs[1]!.data);
    t.deepEqual(Array.from(await executor.run('copy11', 2, 2, input)), loadLenetGolden().vectors[0]!.outputs[2]!.data);
    t.true(board.bootCount >= 1, 'the board was reset to make room');
    t.deepEqual(Array.from(await executor.run('copy0', 2, 2, input)), loadLenetGolden().vectors[0]!.outputs[2]!.data);
  } finally {
    await board.close();
    await emu.stop();
  }
});
