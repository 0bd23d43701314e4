/**
 * A gateway on a real port with its outcomes recorded, and real in-process agents that close with
 * it, for tests of planning and routing. The agents' MAC/s are fixed figures, so the budgets (not
 * a loaded machine's self-benchmark) decide what fits. LeNet-5's middle layers need 298 080 MACs
 * per request: 2.98 MMAC/s at 10 requests/s. A source offers just enough for its own first and
 * last layers (1.18 MMAC/s at 10/s), so it cannot stand in for a worker in another's stream.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKeys, publicKeysOf } from '@layerfleet/protocol';
import { startGateway, GATEWAY_ID, type Gateway, type GatewayOptions, type Outcome } from '@layerfleet/gateway';
import { Agent, type AgentOptions } from '@layerfleet/agent';
import { until } from '@layerfleet/test-support';

export interface BudgetedFleet {
  gw: Gateway;
  /** every outcome the gateway reported, in order */
  outcomes: Outcome[];
  start(id: string, extra?: Partial<AgentOptions>): Promise<Agent>;
  worker(id: string, macsBudget: number): Promise<Agent>;
  /** a source declaring 10 requests/s */
  source(id: string): Promise<Agent>;
  online(n: number): Promise<void>;
  /** the source has its answer before the gateway hears of it */
  outcomesFor(n: number): Promise<void>;
}

/** `teardown` gets what stops the fleet (ava's `t.teardown`). */
export async function budgetedFleet(teardown: (stop: () => Promise<void>) => void, opts: Omit<GatewayOptions, 'stateDir'> = {}): Promise<BudgetedFleet> {
  const state = await mkdtemp(join(tmpdir(), 'lf-budgeted-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open', ...opts });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const outcomes: Outcome[] = [];
  gw.onOutcome((o) => outcomes.push(o));
  const agents: Agent[] = [];
  teardown(async () => {
    for (const a of agents) await a.close(200);
    await gw.close();
  });
  const start = async (id: string, extra: Partial<AgentOptions> = {}) => {
    const agent = await Agent.start({ id, brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500, ...extra });
    agents.push(agent);
    return agent;
  };
  return {
    gw, outcomes, start,
    worker: (id, macsBudget) => start(id, { macsBudget }),
    source: (id) => start(id, { role: 'source', requestRate: 10, macsBudget: 1.5e6 }),
    online: (n) => until(() => gw.registry.online().length === n, `${n} devices online`),
    outcomesFor: (n) => until(() => outcomes.length >= n, `${n} outcomes at the gateway`),
  };
}
