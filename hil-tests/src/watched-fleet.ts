/**
 * A small enrolled-only fleet in this process for the dashboard-side tests (metrics, the browser
 * page, the Home Assistant bridge, `status`): a gateway with its HTTP port and WebSocket
 * listener on free ports, a worker and a source enrolled with tokens, and a way to run
 * inferences. Everything it started is closed by `close`, which tests call in `t.teardown`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKeys, publicKeysOf } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID, type Gateway, type GatewayOptions, type Outcome } from '@layerfleet/gateway';
import { runSource, type Agent } from '@layerfleet/agent';
import { enrolledAgents } from './enrolled-agents.js';
import { until } from '@layerfleet/test-support';

export interface WatchedFleet {
  gw: Gateway;
  stateDir: string;
  /** the dashboard's URL (the gateway's HTTP port) */
  httpUrl: string;
  outcomes: Outcome[];
  agents: Agent[];
  start(id: string, role: 'worker' | 'source'): Promise<Agent>;
  /** runs `n` LeNet inferences from `source` and waits for the gateway to have their outcomes */
  infer(source: Agent, n: number): Promise<void>;
  close(): Promise<void>;
}

export async function watchedFleet(opts: Partial<GatewayOptions> = {}): Promise<WatchedFleet> {
  const stateDir = await mkdtemp(join(tmpdir(), 'lf-watched-'));
  const gw = await startGateway({ port: 0, wsPort: 0, httpPort: 0, stateDir, ...opts });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(stateDir, GATEWAY_ID));
  const outcomes: Outcome[] = [];
  gw.onOutcome((o) => outcomes.push(o));
  const { start, agents } = enrolledAgents({ brokerUrl: gw.url, stateDir, gateway });
  const model = loadLenetInt8();
  return {
    gw, stateDir, httpUrl: gw.httpUrl!, outcomes, agents, start,
    async infer(source, n) {
      const before = outcomes.length;
      const results = await runSource(source, { model, inferences: n, concurrency: 2 });
      const failed = results.filter((r) => r.error !== undefined);
      if (failed.length > 0) throw new Error(`${failed.length} of ${n} inferences failed: ${failed[0]!.error}`);
      await until(() => outcomes.length >= before + n, `${n} outcomes at the gateway`, 60_000);
    },
    async close() {
      for (const a of agents) await a.close(200);
      await gw.close();
    },
  };
}
