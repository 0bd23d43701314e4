import { spawnSync } from 'node:child_process';
import { testNeeding } from '@layerfleet/test-support/ava';
import { until, whereIs } from '@layerfleet/test-support';
import { watchedFleet } from '../src/index.js';

const test = testNeeding(['promtool']);

/** `promtool check metrics` reads the exposition on stdin; exit 0 and nothing printed means no lint problem. */
function promtool(text: string): { status: number | null; out: string } {
  const r = spawnSync(whereIs('promtool')!, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** `name{labels} value` lines as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

test('/metrics passes promtool and follows inferences as they run', async (t) => {
  const fleet = await watchedFleet();
  t.teardown(() => fleet.close());
  const url = `${fleet.httpUrl}metrics`;
  const scrape = async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  const before = await scrape();
  const lint = promtool(before);
  t.is(lint.status, 0, lint.out);
  t.is(lint.out, '', 'promtool finds nothing to say');
  const s0 = samples(before);
  t.is(s0.get('layerfleet_inferences_total{outcome="completed"}'), 0);
  t.is(s0.get('layerfleet_inferences_total{outcome="failed"}'), 0);
  // every known rejection reason is there from the start, at 0
  for (const reason of ['replay', 'bad-signature', 'auth', 'rate-limit', 'oversize-message']) t.is(s0.get(`layerfleet_rejections_total{reason="${reason}"}`), 0, reason);
  t.is(s0.get('layerfleet_devices{class="worker",state="online"}'), 0);
  for (const name of s0.keys()) t.notRegex(name, /request_?id|device=|requestId/, `no per-request or per-device label: ${name}`);

  const worker = await fleet.start('w1', 'worker');
  const cam = await fleet.start('cam', 'source');
  await until(() => fleet.gw.registry.online().length === 2, 'both devices online');
  t.truthy(worker);
  await fleet.infer(cam, 6);

  const after = await scrape();
  const lint2 = promtool(after);
  t.is(lint2.status, 0, lint2.out);
  const s1 = samples(after);
  t.is(s1.get('layerfleet_inferences_total{outcome="completed"}'), 6);
  t.is(s1.get('layerfleet_inference_duration_seconds_count{outcome="completed"}'), 6);
  t.true((s1.get('layerfleet_inference_duration_seconds_sum{outcome="completed"}') ?? 0) > 0, 'durations in seconds add up');
  t.is(s1.get('layerfleet_devices{class="worker",state="online"}'), 1);
  t.is(s1.get('layerfleet_devices{class="source",state="online"}'), 1);
  t.true((s1.get('layerfleet_broker_clients') ?? 0) >= 2);
  t.true((s1.get('layerfleet_ledger_height') ?? 0) > (s0.get('layerfleet_ledger_height') ?? 0), 'the ledger grew');
  t.true((s1.get('layerfleet_data_plane_bytes_total') ?? 0) > 0);
  t.log(after.split('\n').filter((l) => /^layerfleet_(inferences_total|inference_duration_seconds_count|devices|broker_clients|ledger_height|rejections_total\{reason="auth"\})/.test(l)).join('\n'));

  // read-only, and it says so
  const post = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
  const missing = await fetch(`${fleet.httpUrl}nothing-here`, { signal: AbortSignal.timeout(10_000) });
  t.is(missing.status, 404);
});
