import test from 'ava';
import { barChart, formatTick, lineChart, movingAverage, niceAxis, niceStep, type LineSeries } from '../src/index.js';

// A small XML well-formedness check (no parser dependency): one root element, every tag closed in order,
// attributes quoted and unique, and no raw '<' or stray '&' in text or attribute values.
function wellFormedError(xml: string): string | undefined {
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (entity.test(text)) return `bare & in text near ${JSON.stringify(text.slice(0, 40))}`;
    if (stack.length === 0 && text.trim() !== '') return `text outside the root: ${JSON.stringify(text.slice(0, 40))}`;
    if (lt === -1) break;
    let gt = lt + 1;
    let quote = '';
    for (; gt < xml.length; gt++) {
      const c = xml[gt]!;
      if (quote) { if (c === quote) quote = ''; } else if (c === '"' || c === "'") quote = c; else if (c === '<') return `'<' inside a tag at ${gt}`; else if (c === '>') break;
    }
    if (gt >= xml.length) return 'unterminated tag';
    const body = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}>`;
      continue;
    }
    const nameMatch = /^[A-Za-z_][\w.:-]*/.exec(body);
    if (!nameMatch) return `bad tag <${body.slice(0, 20)}>`;
    const selfClosing = body.endsWith('/');
    let rest = body.slice(nameMatch[0].length, selfClosing ? -1 : undefined);
    const seen = new Set<string>();
    while (rest.trim() !== '') {
      const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(rest);
      if (!attr) return `bad attributes in <${nameMatch[0]}>: ${JSON.stringify(rest.slice(0, 40))}`;
      if (seen.has(attr[1]!)) return `duplicate attribute ${attr[1]} in <${nameMatch[0]}>`;
      if (entity.test(attr[2]!)) return `bare & in attribute ${attr[1]}`;
      seen.add(attr[1]!);
      rest = rest.slice(attr[0].length);
    }
    if (stack.length === 0 && ++roots > 1) return 'more than one root element';
    if (!selfClosing) stack.push(nameMatch[0]);
  }
  return stack.length > 0 ? `unclosed <${stack.join('>, <')}>` : undefined;
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

function labels(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);
}

// Inverse of formatTick, so the axis labels in the SVG can be checked numerically.
function parseCompact(label: string): number {
  const m = /^(-?[\d.]+(?:e-?\d+)?)([kMGT]?)$/.exec(label);
  if (!m) throw new Error(`not a compact number: ${label}`);
  return Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 } as Record<string, number>)[m[2]!]!;
}

function polylines(svg: string): [number, number][][] {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) =>
    m[1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

const isNice = (step: number): boolean => {
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return [1, 2, 5].some((n) => Math.abs(mantissa - n) < 1e-6);
};

const reward: LineSeries = { name: 'PPO', points: Array.from({ length: 40 }, (_, i) => [i * 25, -200 + i * i * 0.3] as const) };

test('line chart is well-formed with a polyline per non-empty series and a legend entry per series', (t) => {
  const svg = lineChart({
    title: 'Reward', xLabel: 'episode', yLabel: 'reward',
    series: [reward, { name: 'empty', points: [] }, { name: 'DQN', points: [[0, 5], [500, 80], [1000, 120]] }],
  });
  t.is(wellFormedError(svg), undefined);
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.regex(svg, /viewBox="0 0 640 400"/);
  t.regex(svg, /font-family="sans-serif"/);
  t.regex(svg, /<rect x="0" y="0" width="640" height="400" fill="#ffffff"\/>/);
  t.is(count(svg, /<polyline\b/g), 2);
  t.is(count(svg, /class="legend-entry"/g), 3);
  t.false(/href|url\((?!#)/.test(svg), 'no external resources');
  const colours = [...svg.matchAll(/<polyline[^>]* stroke="(#[0-9A-Fa-f]{6})"/g)].map((m) => m[1]);
  t.is(new Set(colours).size, 2);
});

test('output is deterministic', (t) => {
  const opts = { title: 't', xLabel: 'x', yLabel: 'y', series: [reward] };
  t.is(lineChart(opts), lineChart(structuredClone(opts)));
  const bars = { title: 'b', yLabel: 'ms', groups: ['a', 'b'], series: [{ name: 's', values: [1, null] }] };
  t.is(barChart(bars), barChart(structuredClone(bars)));
});

test('titles, labels and series names are XML-escaped', (t) => {
  const nasty = `a < b & "c" > 'd'`;
  const svg = lineChart({ title: nasty, xLabel: nasty, yLabel: nasty, series: [{ name: nasty, points: [[1, 2], [2, 3]] }] });
  t.is(wellFormedError(svg), undefined);
  t.true(svg.includes('a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;'));
  t.false(svg.includes('a < b'));
  const bars = barChart({ title: nasty, yLabel: nasty, groups: [nasty], series: [{ name: nasty, values: [1] }] });
  t.is(wellFormedError(bars), undefined);
  t.false(bars.includes('a < b'));
});

test('the well-formedness checker itself catches broken markup', (t) => {
  t.truthy(wellFormedError('<svg><g></svg>'));
  t.truthy(wellFormedError('<svg><text>a < b</text></svg>'));
  t.truthy(wellFormedError('<svg><text>a & b</text></svg>'));
  t.truthy(wellFormedError('<svg a="1" a="2"/>'));
  t.truthy(wellFormedError('<svg/><svg/>'));
  t.is(wellFormedError('<svg><text x="1">a &amp; b</text><g/></svg>'), undefined);
});

test('niceStep rounds up to 1, 2 or 5 × 10^k', (t) => {
  t.deepEqual([0.7, 1, 1.2, 2, 3, 7, 12, 0.0031, 4500].map(niceStep), [1, 1, 2, 2, 5, 10, 20, 0.005, 5000]);
});

test('linear axis ticks are evenly spaced nice steps covering the data range', (t) => {
  const ranges: [number, number][] = [[0, 1], [-3.7, 12.2], [0.001, 0.0042], [1200, 987654], [-1e6, -5], [0.1, 0.3], [17, 17.5]];
  for (const [min, max] of ranges) {
    const axis = niceAxis(min, max);
    t.true(axis.lo <= min && axis.hi >= max, `${min}..${max} → ${axis.lo}..${axis.hi}`);
    t.is(axis.ticks[0], axis.lo);
    t.is(axis.ticks.at(-1), axis.hi);
    t.true(axis.ticks.length >= 3 && axis.ticks.length <= 13, `${axis.ticks.length} ticks`);
    const step = axis.ticks[1]! - axis.ticks[0]!;
    t.true(isNice(step), `step ${step}`);
    for (let i = 1; i < axis.ticks.length; i++) t.true(Math.abs(axis.ticks[i]! - axis.ticks[i - 1]! - step) < step * 1e-9);
  }
  t.deepEqual(niceAxis(0.1, 0.3).ticks, [0.1, 0.15, 0.2, 0.25, 0.3]);
});

test('y tick labels in the SVG are nice and cover the data', (t) => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 130], [1, 1840], [2, 920]] }] });
  const ys = labels(svg, 'tick-y').map(parseCompact);
  t.true(ys[0]! <= 130 && ys.at(-1)! >= 1840, ys.join(' '));
  t.true(isNice(ys[1]! - ys[0]!));
  const xs = labels(svg, 'tick-x').map(parseCompact);
  t.true(xs[0]! <= 0 && xs.at(-1)! >= 2, xs.join(' '));
});

test('formatTick is compact', (t) => {
  t.deepEqual([0, 1500, 2e6, 0.003, -2500, 3.2e9, 999.99, 12, 0.25, 2.5e-6, -0].map(formatTick),
    ['0', '1.5k', '2M', '0.003', '-2.5k', '3.2G', '1k', '12', '0.25', '2.5e-6', '0']);
});

test('logY spans 1e-3..1e2 with decade ticks and evenly spaced decades', (t) => {
  const decades = [1e-3, 1e-2, 1e-1, 1, 10, 100];
  const svg = lineChart({ title: 'loss', xLabel: 'step', yLabel: 'loss', logY: true, series: [{ name: 'loss', points: decades.map((y, i) => [i, y] as const) }] });
  t.is(wellFormedError(svg), undefined);
  t.deepEqual(labels(svg, 'tick-y'), ['0.001', '0.01', '0.1', '1', '10', '100']);
  const [line] = polylines(svg);
  const ys = line!.map(([, y]) => y);
  const gap = ys[0]! - ys[1]!;
  t.true(gap > 10);
  for (let i = 1; i < ys.length; i++) t.true(Math.abs(ys[i - 1]! - ys[i]! - gap) < 0.05, ys.join(' '));
  const axis = niceAxis(1e-3, 1e2, { log: true });
  t.is(axis.lo, 1e-3);
  t.is(axis.hi, 1e2);
});

test('logY skips non-positive values and log axes thin out wide spans', (t) => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', points: [[0, 0], [1, -1], [2, 10], [3, 1000]] }] });
  t.is(polylines(svg)[0]!.length, 2);
  t.false(/NaN|Infinity/.test(svg));
  const wide = niceAxis(1e-12, 1e12, { log: true });
  t.true(wide.ticks.length <= 13);
  t.true(wide.ticks.every((v) => Number.isInteger(Math.log10(v))));
});

test('NaN and Infinity points are skipped without leaking into the SVG', (t) => {
  const svg = lineChart({
    title: 't', xLabel: 'x', yLabel: 'y',
    series: [{ name: 's', points: [[0, 1], [1, NaN], [2, 3], [NaN, 4], [4, Infinity], [5, -Infinity], [6, 2]] }],
  });
  t.is(wellFormedError(svg), undefined);
  t.false(/NaN|Infinity/.test(svg));
  t.is(polylines(svg)[0]!.length, 3);
});

test('constant data, a single point and no data at all still render', (t) => {
  for (const series of [
    [{ name: 'flat', points: [[0, 5], [1, 5], [2, 5]] as const }],
    [{ name: 'zero', points: [[3, 0], [3, 0]] as const }],
    [{ name: 'one', points: [[7, 42]] as const }],
    [{ name: 'none', points: [] }],
    [],
  ]) {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series });
    t.is(wellFormedError(svg), undefined);
    t.false(/NaN|Infinity/.test(svg), JSON.stringify(series));
    for (const line of polylines(svg)) for (const [x, y] of line) t.true(Number.isFinite(x) && Number.isFinite(y));
  }
  const one = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'one', points: [[7, 42]] }] });
  t.is(count(one, /<circle\b/g), 1);
  const flat = polylines(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'flat', points: [[0, 5], [1, 5]] }] }))[0]!;
  const plot = /<rect class="plot" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }))!;
  const [top, bottom] = [Number(plot[1]), Number(plot[1]) + Number(plot[2])];
  t.true(flat[0]![1] > top && flat[0]![1] < bottom, 'a constant line sits inside the plot, not on an edge');
  t.regex(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }), /no data/);
});

test('yMin/yMax pin the y domain', (t) => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', yMin: 0, yMax: 1, series: [{ name: 's', points: [[0, 0.2], [1, 5]] }] });
  const ys = labels(svg, 'tick-y').map(parseCompact);
  t.is(ys[0], 0);
  t.is(ys.at(-1), 1);
  t.regex(svg, /clip-path="url\(#clip-[0-9a-f]{8}\)"/);
});

test('movingAverage is a trailing mean over a partial then full window', (t) => {
  // Hand computation, window 3: [1]/1, [1,2]/2, [1,2,3]/3, [2,3,4]/3, [3,4,5]/3, [4,5,9]/3
  t.deepEqual(movingAverage([1, 2, 3, 4, 5, 9], 3), [1, 1.5, 2, 3, 4, 6]);
  t.deepEqual(movingAverage([4, 8, 6], 1), [4, 8, 6]);
  t.deepEqual(movingAverage([2, 4], 50), [2, 3]);
  t.deepEqual(movingAverage([], 5), []);
  // A NaN episode is ignored inside its windows rather than blanking the rest of the curve.
  t.deepEqual(movingAverage([2, NaN, 4, 6], 2), [2, 2, 4, 5]);
  t.throws(() => movingAverage([1], 0), { instanceOf: RangeError });
  t.throws(() => movingAverage([1], 2.5), { instanceOf: RangeError });
});

test('bar chart draws groups × series bars, value labels and n/a for missing values', (t) => {
  const svg = barChart({
    title: 'Latency per model', yLabel: 'ms',
    groups: ['LeNet-5', 'CIFAR CNN', 'VGG-16'],
    series: [
      { name: '1 device', values: [12.5, 48, null] },
      { name: '4 devices', values: [6.1, NaN, 1450] },
    ],
  });
  t.is(wellFormedError(svg), undefined);
  t.is(count(svg, /<rect class="bar[ "]/g), 6);
  t.is(count(svg, /<rect class="bar missing"/g), 2);
  t.is(labels(svg, 'value na').length, 2);
  t.deepEqual(labels(svg, 'value'), ['12.5', '6.1', '48', '1.45k']);
  t.deepEqual(labels(svg, 'group'), ['LeNet-5', 'CIFAR CNN', 'VGG-16']);
  t.is(count(svg, /class="legend-entry"/g), 2);
  t.false(/NaN|Infinity/.test(svg));
  const ticks = labels(svg, 'tick-y').map(parseCompact);
  t.is(ticks[0], 0);
  t.true(ticks.at(-1)! >= 1450);
});

test('bar chart handles negatives, short value arrays, log scale and crowded labels', (t) => {
  const neg = barChart({ title: 't', yLabel: 'Δ', groups: ['a', 'b', 'c'], series: [{ name: 's', values: [-3, 5] }] });
  t.is(wellFormedError(neg), undefined);
  t.is(count(neg, /<rect class="bar[ "]/g), 3);
  t.is(labels(neg, 'value na').length, 1);
  const negTicks = labels(neg, 'tick-y').map(parseCompact);
  t.true(negTicks[0]! <= -3 && negTicks.includes(0) && negTicks.at(-1)! >= 5);

  const log = barChart({ title: 't', yLabel: 's', logY: true, groups: ['a', 'b', 'c'], series: [{ name: 's', values: [0.001, 100, 0] }] });
  t.is(wellFormedError(log), undefined);
  t.is(labels(log, 'value na').length, 1, 'zero cannot be drawn on a log axis');
  const heights = [...log.matchAll(/<rect class="bar" [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.true(heights.every((h) => h > 0), 'the smallest bar is still visible');

  const crowded = barChart({
    title: 't', yLabel: 'y', width: 320,
    groups: Array.from({ length: 12 }, (_, i) => `a rather long group name ${i}`),
    series: [1, 2, 3].map((k) => ({ name: `s${k}`, values: Array.from({ length: 12 }, (_, i) => 123456.789 * k + i) })),
  });
  t.is(wellFormedError(crowded), undefined);
  t.is(count(crowded, /<rect class="bar[ "]/g), 36);
  t.is(labels(crowded, 'value').length, 0, 'labels wider than their bars are left out');
  t.regex(crowded, /class="group"[^>]*transform="rotate\(-35/);

  const empty = barChart({ title: 't', yLabel: 'y', groups: [], series: [] });
  t.is(wellFormedError(empty), undefined);
  t.false(/NaN|Infinity/.test(empty));
});
