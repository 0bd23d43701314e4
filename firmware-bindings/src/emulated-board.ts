/**
 * Emulated boards: the firmware as a host process on a pseudo-terminal, or the Cortex-M7 image
 * under `qemu-system-arm -M mps2-an500` with UART0 on a pseudo-terminal. Either gives a port
 * path that opens like a real board's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ensureFirmware } from './firmware-build.js';
import { describeMissingPrograms, missingEmulatorPrograms } from './emulator-programs.js';

export type EmulatedTarget = 'host' | 'qemu';

export interface EmulatedBoard {
  target: EmulatedTarget;
  port: string;
  process: ChildProcess;
  /** Stops the emulator (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /**
   * The reset button: the board restarts wherever it is, mid-frame or not (QEMU: a QMP
   * system_reset; host board: SIGUSR1). The serial port stays open, as on a real board.
   */
  pressReset(): Promise<void>;
}

export interface EmulateOptions {
  /** The host board's id (QEMU's mps2 has no unique id of its own). */
  id?: string;
  /** Host board: also make this path a symlink to its port, so a restarted board is found at the same path. */
  link?: string;
  /** Where the emulator's own messages go. */
  log?: (line: string) => void;
  timeoutMs?: number;
}

export async function startEmulatedBoard(target: EmulatedTarget, options: EmulateOptions = {}): Promise<EmulatedBoard> {
  const missing = await missingEmulatorPrograms(target);
  if (missing.length > 0) throw new Error(`board emulate --target ${target}: ${describeMissingPrograms(missing)}`);
  const artifact = await ensureFirmware(target);
  let child: ChildProcess;
  let portPattern: RegExp;
  let pressReset: () => Promise<void>;
  let cleanup = () => {};
  if (target === 'host') {
    const args = [...(options.id ? ['--id', options.id] : []), ...(options.link ? ['--link', options.link] : [])];
    child = spawn(artifact, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    portPattern = /^lf-board: port (\/dev\/\S+)/;
    pressReset = async () => { child.kill('SIGUSR1'); };
  } else {
    const qmp = join(tmpdir(), `lf-qemu-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}.qmp`);
    child = spawn('qemu-system-arm', ['-M', 'mps2-an500', '-display', 'none', '-monitor', 'none', '-serial', 'pty', '-qmp', `unix:${qmp},server=on,wait=off`, '-kernel', artifact], { stdio: ['ignore', 'pipe', 'pipe'] });
    pressReset = () => qmpCommand(qmp, 'system_reset');
    cleanup = () => rmSync(qmp, { force: true });
    portPattern = /char device redirected to (\/dev\/pts\/\d+)/;
  }
  const stop = () => stopProcess(child).finally(cleanup);
  try {
    const port = await findPort(child, portPattern, options);
    return { target, port, process: child, stop, pressReset };
  } catch (err) {
    await stop();
    throw err;
  }
}

function findPort(child: ChildProcess, pattern: RegExp, options: EmulateOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  // What the emulator said meanwhile: the reason it gives when it cannot start.
  const said: string[] = [];
  const saying = () => (said.length > 0 ? `; it said:\n${said.join('\n')}` : '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulated board did not print its port within ${timeoutMs} ms${saying()}`)), timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    // 'close', not 'exit': by then its last words have been read
    child.once('close', (code, signal) => { clearTimeout(timer); reject(new Error(`emulated board exited (${signal ?? code}) before printing its port${saying()}`)); });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        const m = pattern.exec(line);
        if (m) { clearTimeout(timer); resolve(m[1]!); return; }
        said.push(line);
        if (said.length > 10) said.shift();
        options.log?.(line);
      });
    }
  });
}

async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** One QMP command on QEMU's control socket: greeting, capabilities handshake, the command. */
function qmpCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`QMP ${command}: no answer from ${socketPath} within ${timeoutMs} ms`)); }, timeoutMs);
    let buffered = '';
    let step = 0;
    socket.on('error', (err) => { clearTimeout(timer); reject(new Error(`QMP ${command} on ${socketPath}: ${err.message}`)); });
    socket.on('data', (d) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        if ('error' in message) { clearTimeout(timer); socket.destroy(); return reject(new Error(`QMP ${command}: ${JSON.stringify(message['error'])}`)); }
        if (step === 0 && 'QMP' in message) { step = 1; socket.write('{"execute":"qmp_capabilities"}\n'); }
        else if (step === 1 && 'return' in message) { step = 2; socket.write(`{"execute":"${command}"}\n`); }
        else if (step === 2 && 'return' in message) { clearTimeout(timer); socket.end(); return resolve(); }
      }
    });
  });
}
