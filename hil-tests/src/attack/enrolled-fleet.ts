/**
 * The fleet an attack suite aims at: a gateway in enrolled-only access on a real port, three
 * enrolled workers and an enrolled source (the legitimate devices whose service is measured),
 * and two devices enrolled by "mallory" whose keys the attacker holds, as a curious or
 * compromised insider would.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKeys, publicKeysOf, type DeviceKeys, type PublicDeviceKeys } from '@layerfleet/protocol';
import { startGateway, issueEnrolmentToken, GATEWAY_ID, type Gateway } from '@layerfleet/gateway';
import { Agent } from '@layerfleet/agent';
import { until } from '@layerfleet/test-support';

export interface EnrolledFleet {
  gw: Gateway;
  state: string;
  gatewayKeys: PublicDeviceKeys;
  workers: Agent[];
  source: Agent;
  /** Enrolled by the attacker: the keys of devices it owns. */
  insiders: { spy: DeviceKeys; accomplice: DeviceKeys };
  close(): Promise<void>;
}

export interface FleetOptions {
  /** connections that may wait to authenticate at once */
  maxPendingConnections?: number;
  connectTimeoutMs?: number;
  log?: (line: string) => void;
  /** the gateway's own log lines */
  gatewayLog?: (line: string) => void;
}

export async function startEnrolledFleet(opts: FleetOptions = {}): Promise<EnrolledFleet> {
  const state = await mkdtemp(join(tmpdir(), 'lf-attack-'));
  const gw = await startGateway({
    port: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 30_000, attemptTimeoutMs: 8000, ...(opts.gatewayLog ? { log: opts.gatewayLog } : {}),
    ...(opts.maxPendingConnections === undefined ? {} : { maxPendingConnections: opts.maxPendingConnections }),
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
  });
  const gatewayKeys = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agents: Agent[] = [];
  const enrolled = async (id: string, owner: string, budget: number, role: 'worker' | 'source' = 'worker') => {
    const a = await Agent.start({
      id, brokerUrl: gw.url, stateDir: state, gateway: gatewayKeys, role, heartbeatMs: 1000,
      // A fixed figure, not this machine's self-benchmark: the budgets decide the placement.
      measuredMacsPerSecond: 1e9, macsBudget: budget, memoryBytes: 5e8,
      ...(role === 'source' ? { requestRate: 10 } : {}),
      enrolToken: issueEnrolmentToken(state, { id, owner, trusted: false }),
    });
    agents.push(a);
    return a;
  };
  try {
    const workers = [await enrolled('w1', 'alice', 5e6), await enrolled('w2', 'alice', 1.1e6), await enrolled('w3', 'bob', 0.4e6)];
    const source = await enrolled('cam', 'bob', 1.5e6, 'source');
    // The insiders enrol like anyone else, then stop their agents: the attacker drives their keys by hand.
    for (const id of ['spy', 'accomplice']) await (await enrolled(id, 'mallory', 1)).close(100);
    agents.splice(agents.length - 2, 2);
    await until(() => ['w1', 'w2', 'w3', 'cam'].every((id) => gw.registry.get(id)?.online), 'the legitimate fleet online');
    const insiders = { spy: await loadOrCreateDeviceKeys(state, 'spy'), accomplice: await loadOrCreateDeviceKeys(state, 'accomplice') };
    opts.log?.(`fleet up: gateway on ${gw.url}, workers w1 w2 w3, source cam, insiders spy accomplice (state ${state})`);
    return {
      gw, state, gatewayKeys, workers, source, insiders,
      async close() {
        for (const a of agents) await a.close(200);
        await gw.close();
      },
    };
  } catch (err) {
    for (const a of agents) await a.close(100);
    await gw.close();
    throw err;
  }
}
