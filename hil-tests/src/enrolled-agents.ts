/**
 * Starts agents that enrol with a fresh operator token on an enrolled-only gateway: a worker
 * offering 5 MMAC/s, or a source asking 10 requests/s with 1.5 MMAC/s of its own — budgets that
 * make LeNet's middle layers go to the worker. Fixed MAC/s figures, not this machine's
 * self-benchmark, so the placement does not depend on how loaded the machine is.
 */
import type { PublicDeviceKeys } from '@layerfleet/protocol';
import { issueEnrolmentToken } from '@layerfleet/gateway';
import { Agent } from '@layerfleet/agent';

export interface EnrolledAgents {
  start(id: string, role: 'worker' | 'source'): Promise<Agent>;
  /** Everything started, to close in teardown. */
  agents: Agent[];
}

export function enrolledAgents(opts: { brokerUrl: string; stateDir: string; gateway: PublicDeviceKeys; owner?: string }): EnrolledAgents {
  const agents: Agent[] = [];
  return {
    agents,
    async start(id, role) {
      const a = await Agent.start({
        id, brokerUrl: opts.brokerUrl, stateDir: opts.stateDir, gateway: opts.gateway, role, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500,
        ...(role === 'source' ? { requestRate: 10, macsBudget: 1.5e6 } : { macsBudget: 5e6 }),
        enrolToken: issueEnrolmentToken(opts.stateDir, { id, owner: opts.owner ?? 'ops', trusted: false }),
      });
      agents.push(a);
      return a;
    },
  };
}
