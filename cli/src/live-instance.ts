/**
 * A planner instance (DESIGN.md's JSON) from the live fleet, for `plan --explain --gateway URL
 * --model M`: the online devices as their telemetry reports them (budget, memory, link, trust
 * from the gateway's fleet topic), the model's layer costs from the zoo, the source and rate
 * given or found (the one online source; the gateway's planned rate for that stream).
 * Each device's exposure is the gateway's (its fleet topic: the layers it has been sent, per
 * model), so eq. 6 rules as the gateway would; load is 0 unless `withLoad` subtracts each
 * device's MAC/s in use now.
 */
import type { FleetView } from '@layerfleet/dashboard';
import { layerCosts, zoo } from '@layerfleet/models';
import { canonicalModelName, type Instance, type Privacy } from '@layerfleet/planner';

export interface LiveInstanceOptions { model: string; source?: string; rate?: number; privacy: Privacy; withLoad: boolean }

export function liveInstance(view: FleetView, opts: LiveInstanceOptions): { instance: Instance; skipped: string[] } {
  const graph = zoo[canonicalModelName(opts.model)];
  if (!graph) throw new Error(`--model: no model ${JSON.stringify(opts.model)}; known: ${Object.keys(zoo).join(', ')} (aliases lenet, cifar, vgg)`);
  const online = view.deviceList().filter((d) => d.state === 'online');
  const sources = online.filter((d) => d.class === 'source').map((d) => d.id);
  const source = opts.source ?? (sources.length === 1 ? sources[0]! : undefined);
  if (source === undefined) throw new Error(sources.length === 0 ? 'no source is online; name one with --source ID' : `several sources are online (${sources.join(', ')}): name one with --source ID`);
  if (!online.some((d) => d.id === source)) throw new Error(`--source: ${source} is not online (online: ${online.map((d) => d.id).join(', ') || 'none'})`);
  const skipped: string[] = [];
  const devices: Instance['devices'] = [];
  for (const d of online) {
    if (d.budget === undefined || d.memoryBytes === undefined || d.linkBitsPerSecond === undefined) {
      skipped.push(`${d.id} (its ${[d.budget === undefined ? 'budget' : '', d.memoryBytes === undefined ? 'memory' : '', d.linkBitsPerSecond === undefined ? 'link' : ''].filter(Boolean).join(', ')} not in the telemetry yet)`);
      continue;
    }
    devices.push({
      id: d.id, trusted: d.trusted ?? false, macsPerSecond: d.budget, loadMacsPerSecond: opts.withLoad ? Math.min(d.used ?? 0, d.budget) : 0,
      memoryBytes: d.memoryBytes, rateBitsPerSecond: d.linkBitsPerSecond, loadBitsPerSecond: 0, exposed: [...(d.exposed?.[graph.name] ?? [])],
    });
  }
  if (!devices.some((d) => d.id === source)) throw new Error(`the source ${source} has no budget, memory or link in the telemetry yet; try again in a second`);
  const stream = view.gateway?.streams[`${source}/${graph.name}`];
  const rate = opts.rate ?? stream?.planned ?? stream?.declared ?? 1;
  return {
    instance: { requestRate: rate, privacy: opts.privacy, source, sourceMayComputeMiddle: false, model: { name: graph.name, layers: layerCosts(graph) }, devices },
    skipped,
  };
}
