/**
 * The boards an agent process hosts, each started as a device of its own: its MAC/s as the
 * board measured it on its cycle counter, its free arena as memory, and the serial line's
 * measured rate as its link (every activation it computes crosses that line twice).
 */
import { Agent, BoardExecutor, type AgentOptions } from '@layerfleet/agent';
import { Board, noisyTransport, openSerialTransport } from '@layerfleet/firmware-bindings';
import { mulberry32 } from '@layerfleet/models';

export interface BoardDevice { agent: Agent; board: Board; executor: BoardExecutor }

/** A device id from the host's id and the board's own: MQTT-topic safe, unique among `taken`. */
export function boardDeviceId(hostId: string, boardId: string, taken: Set<string>): string {
  const base = `${hostId}.${boardId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

export interface BoardLineOptions {
  baudRate?: number;
  /** Rigs only: per-byte chance of a flipped and of a dropped byte, both ways, on every line. */
  lineNoise?: number;
  /** MAC/s each board offers the fleet, when less than it measured. */
  macsBudget?: number;
}

export async function startBoardDevices(ports: string[], base: Omit<AgentOptions, 'id' | 'measuredMacsPerSecond'> & { id: string }, line: BoardLineOptions = {}): Promise<BoardDevice[]> {
  const devices: BoardDevice[] = [];
  const taken = new Set([base.id]);
  const log = base.log ?? (() => {});
  try {
    for (const port of ports) {
      const raw = await openSerialTransport(port, line.baudRate ?? 115200);
      const noise = line.lineNoise ?? 0;
      const transport = noise > 0 ? noisyTransport(raw, { flip: noise, drop: noise, burst: noise * 50, bothWays: true, random: mulberry32(devices.length + 1) }) : raw;
      const board = await Board.open(transport);
      const linkBits = await board.measureLink();
      const id = boardDeviceId(base.id, board.info.id, taken);
      const executor = new BoardExecutor(board, log);
      board.onBoot((b) => log(`[${id}] board ${b.id} (re)booted; its layers will be provisioned again`));
      const agent = await Agent.start({
        ...base, id, role: 'worker', executor, loadTelemetry: () => executor.telemetry(),
        measuredMacsPerSecond: board.info.macs,
        ...(line.macsBudget === undefined ? {} : { macsBudget: line.macsBudget }),
        memoryBytes: board.info.free,
        rateBitsPerSecond: Math.min(linkBits, base.rateBitsPerSecond ?? Infinity),
      });
      // An unplugged board (its port gone) takes its device offline at once, so the gateway
      // re-plans around it instead of waiting for heartbeats to lapse.
      board.link.on('closed', (err) => {
        log(`[${id}] board on ${port} is gone${err ? ` (${err.message})` : ''}; leaving the fleet`);
        void agent.close();
      });
      log(`[${id}] ${board.info.board} board ${board.info.id} on ${port}: ${(board.info.macs / 1e6).toFixed(2)} MMAC/s, ${Math.round(board.info.free / 1024)} KiB arena, line ${(linkBits / 1e6).toFixed(2)} Mbit/s`);
      devices.push({ agent, board, executor });
    }
  } catch (err) {
    await stopBoardDevices(devices);
    throw err;
  }
  return devices;
}

export async function stopBoardDevices(devices: BoardDevice[], log: (line: string) => void = () => {}): Promise<void> {
  for (const d of devices) {
    log(`[${d.agent.id}] line at stop: ${JSON.stringify(d.executor.telemetry())}`);
    await d.agent.close();
    await d.board.close();
  }
}
