/**
 * The boards an agent process hosts, each started as a device of its own: its MAC/s as the
 * board measured it on its cycle counter, its free arena as memory, and the serial line's
 * measured rate as its link (every activation it computes crosses that line twice).
 *
 * A board is named by a port path or by `usb:SERIAL`. When its port goes away (unplugged, or a
 * reset that re-enumerates it) its device leaves the fleet at once, so the gateway re-plans;
 * the port is then looked for again every `reattachMs`, and the board rejoins when it is back.
 */
import { Agent, type AgentOptions } from './agent.js';
import { BoardExecutor } from './board-executor.js';
import { Board, noisyTransport, openSerialTransport, resolveBoardPort } from '@layerfleet/firmware-bindings';
import { mulberry32 } from '@layerfleet/models';
import { vouchFor, type DeviceKeys } from '@layerfleet/protocol';

export interface BoardLineOptions {
  baudRate?: number;
  /** Rigs only: per-byte chance of a flipped and of a dropped byte, both ways, on every line. */
  lineNoise?: number;
  /** MAC/s each board offers the fleet, when less than it measured. */
  macsBudget?: number;
  /** How often a board that went away is looked for; default 1000 ms. */
  reattachMs?: number;
}

type BaseOptions = Omit<AgentOptions, 'id' | 'measuredMacsPerSecond'> & {
  id: string;
  /**
   * The host's current keys, when its boards enrol by the host's vouch (a host enrolled with
   * `--boards N`): a board the gateway does not know yet enrols without an operator's token.
   */
  vouchingHost?: () => DeviceKeys;
};

/** A device id from the host's id and the board's own: MQTT-topic safe, unique among `taken`. */
export function boardDeviceId(hostId: string, boardId: string, taken: Set<string>): string {
  const base = `${hostId}.${boardId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/** One board slot of the host: attached now, or waiting for its port to come back. */
export class BoardDevice {
  agent: Agent | undefined;
  board: Board | undefined;
  executor: BoardExecutor | undefined;
  attachments = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly spec: string, private readonly index: number, private readonly base: BaseOptions,
    private readonly line: BoardLineOptions, private readonly taken: Set<string>) {}

  private log(line: string): void { this.base.log?.(line); }

  /** Opens the board and starts its device; throws naming the port when it cannot. */
  async attach(): Promise<void> {
    const port = resolveBoardPort(this.spec);
    if (port === undefined) throw new Error(`board ${this.spec}: no such USB serial number plugged in`);
    const raw = await openSerialTransport(port, this.line.baudRate ?? 115200);
    const noise = this.line.lineNoise ?? 0;
    const transport = noise > 0 ? noisyTransport(raw, { flip: noise, drop: noise, burst: noise * 50, bothWays: true, random: mulberry32(this.index + 1) }) : raw;
    const board = await Board.open(transport);
    const linkBits = await board.measureLink();
    const id = boardDeviceId(this.base.id, board.info.id, this.taken);
    const executor = new BoardExecutor(board, (l) => this.log(l));
    board.onBoot((b) => this.log(`[${id}] board ${b.id} (re)booted; its layers will be provisioned again`));
    const { vouchingHost, ...base } = this.base;
    let agent: Agent;
    try {
      agent = await Agent.start({
        ...base, id, ...(vouchingHost ? { enrolToken: () => vouchFor(vouchingHost(), id) } : {}), role: 'worker', executor, loadTelemetry: () => executor.telemetry(),
        measuredMacsPerSecond: board.info.macs,
        ...(this.line.macsBudget === undefined ? {} : { macsBudget: this.line.macsBudget }),
        memoryBytes: board.info.free,
        rateBitsPerSecond: Math.min(linkBits, this.base.rateBitsPerSecond ?? Infinity),
      });
    } catch (err) {
      this.taken.delete(id);
      await board.close();
      throw err;
    }
    Object.assign(this, { agent, board, executor });
    this.attachments++;
    board.link.on('closed', (err) => void this.detached(port, err));
    this.log(`[${id}] ${board.info.board} board ${board.info.id} on ${port}: ${(board.info.macs / 1e6).toFixed(2)} MMAC/s, ${Math.round(board.info.free / 1024)} KiB arena, line ${(linkBits / 1e6).toFixed(2)} Mbit/s`);
  }

  /** The port vanished: leave the fleet at once, then look for the board again. */
  private async detached(port: string, err: Error | undefined): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    this.board = undefined;
    this.executor = undefined;
    if (!agent) return;
    this.log(`[${agent.id}] board on ${port} is gone${err ? ` (${err.message})` : ''}; leaving the fleet until it is back`);
    await agent.close();
    this.taken.delete(agent.id);
    this.scheduleReattach();
  }

  private scheduleReattach(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.attach().catch(() => this.scheduleReattach());
    }, this.line.reattachMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const { agent, board, executor } = this;
    // Cleared first: closing the port below reports it 'closed', which must not read as an unplug.
    this.agent = undefined;
    if (executor && agent) this.log(`[${agent.id}] line at stop: ${JSON.stringify(executor.telemetry())}`);
    await agent?.close();
    await board?.close();
  }
}

export async function startBoardDevices(specs: string[], base: BaseOptions, line: BoardLineOptions = {}): Promise<BoardDevice[]> {
  const taken = new Set([base.id]);
  const devices = specs.map((spec, i) => new BoardDevice(spec, i, base, line, taken));
  try {
    for (const d of devices) await d.attach();
  } catch (err) {
    await stopBoardDevices(devices);
    throw err;
  }
  return devices;
}

export async function stopBoardDevices(devices: BoardDevice[]): Promise<void> {
  for (const d of devices) await d.stop();
}
