// Dependency-free SVG charts for benchmark and training reports. Each chart is a plain string so it can be
// written to disk, inlined in Markdown/HTML or compared in tests; the same input always yields the same bytes.

export type Point = readonly [number, number];

export interface LineSeries { readonly name: string; readonly points: readonly Point[] }

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly logX?: boolean;
  readonly logY?: boolean;
}

export interface BarSeries {
  readonly name: string;
  /** One value per group; `null`, NaN, ±Infinity (and ≤ 0 on a log axis) are drawn as a hatched "n/a" bar. */
  readonly values: readonly (number | null | undefined)[];
}

export interface BarChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly groups: readonly string[];
  readonly series: readonly BarSeries[];
  readonly width?: number;
  readonly height?: number;
  readonly logY?: boolean;
}

export interface Axis { readonly lo: number; readonly hi: number; readonly ticks: readonly number[]; readonly log: boolean }

/** Okabe–Ito: stays distinguishable under the common colour-vision deficiencies. Yellow goes last: faint on white. */
export const PALETTE: readonly string[] = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];

const FONT = 12;
// Average sans-serif advance; only used to reserve room and decide whether labels fit, so a rough bound is enough.
const CHAR_W = FONT * 0.6;
const MAX_LABEL_CHARS = 24;
const EPS = 1e-9;

/** Escapes text for element content and attribute values; also drops code points XML 1.0 forbids outright. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Trailing mean over the last `window` values; the first few use the shorter prefix so the curve starts at episode 0. */
export function movingAverage(values: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`movingAverage: window must be an integer ≥ 1, got ${window}`);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    // Summed afresh per window rather than as a running sum: no drift over thousands of episodes, and a NaN
    // (a failed episode) only blanks the windows that contain it instead of poisoning the rest of the curve.
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++) {
      const v = values[j]!;
      if (Number.isFinite(v)) { sum += v; n++; }
    }
    out.push(n > 0 ? sum / n : NaN);
  }
  return out;
}

// Strips binary floating-point noise (0.30000000000000004) so tick values print and compare cleanly.
const tidy = (v: number): number => Number(v.toPrecision(12));

/** The smallest 1, 2 or 5 × 10^k that is ≥ raw. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const base = 10 ** Math.floor(Math.log10(raw));
  const f = raw / base;
  return tidy((f <= 1 + EPS ? 1 : f <= 2 + EPS ? 2 : f <= 5 + EPS ? 5 : 10) * base);
}

export interface AxisOptions {
  readonly log?: boolean;
  /** Pinned ends are used exactly instead of being rounded outward to a tick. */
  readonly fixedMin?: number | undefined;
  readonly fixedMax?: number | undefined;
  /** Rough number of ticks wanted; the result has between about target/2 and 2.5·target. */
  readonly target?: number;
}

/** An axis domain covering [min, max] with nice ticks; never zero-width, so projecting onto it cannot divide by zero. */
export function niceAxis(min: number, max: number, opts: AxisOptions = {}): Axis {
  const log = opts.log ?? false;
  const target = Math.max(2, opts.target ?? 5);
  const usable = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && (!log || v > 0);
  const lockLo = usable(opts.fixedMin);
  const lockHi = usable(opts.fixedMax);
  if (!usable(min) || !usable(max)) [min, max] = log ? [1, 10] : [0, 1];
  let a = lockLo ? opts.fixedMin! : min;
  let b = lockHi ? opts.fixedMax! : max;
  if (a > b) {
    if (lockLo && lockHi) [a, b] = [b, a];
    else if (lockLo) b = a;
    else a = b;
  }
  return log ? logAxis(a, b, lockLo, lockHi, target) : linearAxis(a, b, lockLo, lockHi, target);
}

function linearAxis(a: number, b: number, lockLo: boolean, lockHi: boolean, target: number): Axis {
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    if (!lockLo && !lockHi) { a -= pad; b += pad; } else if (!lockHi) b += pad; else a -= pad;
  }
  const step = niceStep((b - a) / target);
  const lo = lockLo ? a : tidy(Math.floor(a / step + EPS) * step);
  const hi = lockHi ? b : tidy(Math.ceil(b / step - EPS) * step);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - EPS); k <= Math.floor(hi / step + EPS); k++) ticks.push(tidy(k * step));
  return { lo, hi, ticks, log: false };
}

function logAxis(a: number, b: number, lockLo: boolean, lockHi: boolean, target: number): Axis {
  let loE = Math.floor(Math.log10(a) + EPS);
  let hiE = Math.ceil(Math.log10(b) - EPS);
  if (loE === hiE) { if (lockHi) loE--; else hiE++; }
  const lo = lockLo ? a : tidy(10 ** loE);
  const hi = lockHi ? b : tidy(10 ** hiE);
  const decades = hiE - loE;
  // Past ~2·target decades, label every 2nd/5th/10th power so the labels do not collide.
  const stepE = decades > target * 2 ? Math.max(1, Math.round(niceStep(decades / target))) : 1;
  const inRange = (v: number) => v >= lo * (1 - EPS) && v <= hi * (1 + EPS);
  const ticks = new Set<number>();
  for (let e = Math.ceil(loE / stepE) * stepE; e <= hiE; e += stepE) ticks.add(tidy(10 ** e));
  // Over a short span, powers of ten alone leave the axis nearly bare; 2× and 5× fill it in.
  if (decades <= 2) for (let e = loE; e <= hiE; e++) for (const m of [2, 5]) ticks.add(tidy(m * 10 ** e));
  let sorted = [...ticks].filter(inRange).sort((x, y) => x - y);
  if (sorted.length < 2) sorted = linearAxis(lo, hi, true, true, target).ticks.filter((v) => v > 0);
  return { lo, hi, ticks: sorted, log: true };
}

const SUFFIXES: readonly [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** Compact label: 1500 → 1.5k, 2e6 → 2M, 0.003 → 0.003, 2.5e-6 → 2.5e-6 (at most 4 significant digits). */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  // Round first so 999.99 becomes 1k rather than 1000.
  const r = Number(v.toPrecision(4));
  if (r === 0) return '0';
  const a = Math.abs(r);
  for (const [scale, suffix] of SUFFIXES) if (a >= scale) return `${Number((r / scale).toPrecision(4))}${suffix}`;
  if (a < 1e-4) {
    const [mantissa, exponent] = r.toExponential().split('e') as [string, string];
    return `${Number(mantissa)}e${Number(exponent)}`;
  }
  return String(r);
}

// Coordinates rounded to 0.01 px: invisible on screen, keeps files small and free of float noise.
const px = (v: number): string => String(Math.round(v * 100) / 100);

function project(axis: Axis, v: number, from: number, to: number): number {
  const f = axis.log ? Math.log10 : (x: number) => x;
  const span = f(axis.hi) - f(axis.lo) || 1;
  // Clamped so a point far outside a pinned yMin/yMax cannot produce an astronomically large (or infinite)
  // coordinate; the clip path hides everything outside the plot anyway.
  const t = Math.min(11, Math.max(-10, (f(v) - f(axis.lo)) / span));
  return from + t * (to - from);
}

const truncate = (s: string, n = MAX_LABEL_CHARS): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const textWidth = (s: string, size = FONT): number => s.length * size * 0.6;

/** FNV-1a: a deterministic id suffix, so several charts inlined in one HTML page do not share clip/pattern ids. */
function hashId(value: unknown): string {
  const s = JSON.stringify(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

interface Frame { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number }

interface LegendEntry { readonly name: string; readonly colour: string; readonly dash: string }

function seriesStyle(i: number): { colour: string; dash: string } {
  // After the palette runs out, colours repeat with a dash pattern so series stay distinguishable.
  const cycle = Math.floor(i / PALETTE.length);
  return { colour: PALETTE[i % PALETTE.length]!, dash: cycle === 0 ? '' : ` stroke-dasharray="${cycle * 4} 3"` };
}

function makeFrame(width: number, height: number, yTickLabels: readonly string[], legendNames: readonly string[], extraBottom: number): Frame {
  const longestTick = Math.max(0, ...yTickLabels.map((l) => l.length));
  const longestName = Math.max(0, ...legendNames.map((n) => truncate(n).length));
  const legendW = legendNames.length > 0 ? 36 + longestName * CHAR_W : 0;
  const left = 28 + longestTick * CHAR_W + 8;
  const top = 44;
  return {
    left,
    top,
    right: Math.max(left + 40, width - 16 - legendW),
    bottom: Math.max(top + 40, height - 48 - extraBottom),
  };
}

function open(width: number, height: number, title: string, defs: string): string[] {
  const t = escapeXml(title);
  // Long titles shrink rather than run off the canvas (there is no text measuring to wrap them properly).
  const size = Math.max(9, Math.min(16, Math.floor((width - 24) / (Math.max(1, title.length) * 0.68))));  // bold glyphs run wider
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<title>${t}</title>`,
    defs,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="${px(width / 2)}" y="26" text-anchor="middle" font-size="${size}" font-weight="bold">${t}</text>`,
  ].filter((l) => l !== '');
}

function yAxisSvg(axis: Axis, f: Frame, label: string): string[] {
  const out = ['<g class="y-axis">'];
  for (const v of axis.ticks) {
    const y = px(project(axis, v, f.bottom, f.top));
    out.push(`<line x1="${px(f.left)}" y1="${y}" x2="${px(f.right)}" y2="${y}" stroke="${v === 0 && !axis.log ? '#999999' : '#e5e5e5'}"/>`);
    out.push(`<text class="tick-y" x="${px(f.left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(v))}</text>`);
  }
  const cy = px((f.top + f.bottom) / 2);
  out.push(`<text class="axis-label" x="14" y="${cy}" text-anchor="middle" dominant-baseline="middle" transform="rotate(-90 14 ${cy})">${escapeXml(label)}</text>`);
  out.push('</g>');
  return out;
}

function legendSvg(entries: readonly LegendEntry[], f: Frame, kind: 'line' | 'box'): string[] {
  if (entries.length === 0) return [];
  const out = ['<g class="legend">'];
  entries.forEach((e, i) => {
    const x = f.right + 12;
    const y = f.top + 8 + i * 18;
    const mark = kind === 'line'
      ? `<line x1="${px(x)}" y1="${y}" x2="${px(x + 18)}" y2="${y}" stroke="${e.colour}" stroke-width="2.5"${e.dash}/>`
      : `<rect x="${px(x + 3)}" y="${y - 6}" width="12" height="12" fill="${e.colour}"/>`;
    out.push(`<g class="legend-entry">${mark}<text x="${px(x + 24)}" y="${y}" dominant-baseline="middle">${escapeXml(truncate(e.name))}</text></g>`);
  });
  out.push('</g>');
  return out;
}

function frameSvg(f: Frame): string {
  return `<rect class="plot" x="${px(f.left)}" y="${px(f.top)}" width="${px(f.right - f.left)}" height="${px(f.bottom - f.top)}" fill="none" stroke="#999999"/>`;
}

/**
 * A line chart with one polyline per non-empty series. Non-finite points (and non-positive ones on a log
 * axis) are skipped and the line joins their neighbours; yMin/yMax pin the y domain and clip what lies outside.
 */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const logX = opts.logX ?? false;
  const logY = opts.logY ?? false;
  const id = hashId(opts);
  const drawable = opts.series.map((s) => s.points.filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0)));
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const pts of drawable) for (const [x, y] of pts) {
    xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
  }
  const plotH = height - 92;
  const yAxis = niceAxis(yMin, yMax, { log: logY, fixedMin: opts.yMin, fixedMax: opts.yMax, target: Math.floor(plotH / 50) });
  const f = makeFrame(width, height, yAxis.ticks.map(formatTick), opts.series.map((s) => s.name), 0);
  const xAxis = niceAxis(xMin, xMax, { log: logX, target: Math.floor((f.right - f.left) / 80) });

  const out = open(width, height, opts.title,
    `<defs><clipPath id="clip-${id}"><rect x="${px(f.left)}" y="${px(f.top)}" width="${px(f.right - f.left)}" height="${px(f.bottom - f.top)}"/></clipPath></defs>`);
  out.push(...yAxisSvg(yAxis, f, opts.yLabel));
  out.push('<g class="x-axis">');
  for (const v of xAxis.ticks) {
    const x = px(project(xAxis, v, f.left, f.right));
    out.push(`<line x1="${x}" y1="${px(f.top)}" x2="${x}" y2="${px(f.bottom)}" stroke="#e5e5e5"/>`);
    out.push(`<text class="tick-x" x="${x}" y="${px(f.bottom + 16)}" text-anchor="middle">${escapeXml(formatTick(v))}</text>`);
  }
  out.push(`<text class="axis-label" x="${px((f.left + f.right) / 2)}" y="${px(f.bottom + 36)}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  out.push('</g>', frameSvg(f));

  out.push(`<g class="series" clip-path="url(#clip-${id})">`);
  drawable.forEach((pts, i) => {
    if (pts.length === 0) return;
    const { colour, dash } = seriesStyle(i);
    const coords = pts.map(([x, y]) => `${px(project(xAxis, x, f.left, f.right))},${px(project(yAxis, y, f.bottom, f.top))}`);
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.75" stroke-linejoin="round"${dash} points="${coords.join(' ')}"/>`);
    // A one-point polyline draws nothing, so mark the point itself.
    if (pts.length === 1) {
      const [cx, cy] = coords[0]!.split(',') as [string, string];
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour}"/>`);
    }
  });
  out.push('</g>');
  if (drawable.every((p) => p.length === 0)) {
    out.push(`<text class="empty" x="${px((f.left + f.right) / 2)}" y="${px((f.top + f.bottom) / 2)}" text-anchor="middle" fill="#777777">no data</text>`);
  }
  out.push(...legendSvg(opts.series.map((s, i) => ({ name: s.name, ...seriesStyle(i) })), f, 'line'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Grouped bars: one cluster per group, one bar per series, each labelled with its value when the label fits
 * the bar's width. Missing values get a short hatched placeholder labelled "n/a" so a gap is never mistaken for 0.
 */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const logY = opts.logY ?? false;
  const id = hashId(opts);
  const valueAt = (s: number, g: number): number | undefined => {
    const v = opts.series[s]!.values[g];
    return typeof v === 'number' && Number.isFinite(v) && (!logY || v > 0) ? v : undefined;
  };
  let [lo, hi] = [Infinity, -Infinity];
  opts.series.forEach((_, s) => opts.groups.forEach((_g, g) => {
    const v = valueAt(s, g);
    if (v !== undefined) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }));
  if (lo > hi) [lo, hi] = logY ? [1, 10] : [0, 1];
  const plotH = height - 92;
  const target = Math.floor(plotH / 50);
  // Linear bars grow from zero, so zero must be in the domain and pinned when it is an end.
  const yAxis = logY
    // Halving the minimum drops the floor one decade when it is an exact power of ten, so the smallest bar
    // still has visible height instead of sitting exactly on the baseline.
    ? niceAxis(lo / 2, hi, { log: true, target })
    : niceAxis(Math.min(0, lo), Math.max(0, hi), { fixedMin: lo >= 0 ? 0 : undefined, fixedMax: hi <= 0 ? 0 : undefined, target });

  const tickLabels = yAxis.ticks.map(formatTick);
  const names = opts.series.map((s) => s.name);
  let groupLabels = opts.groups.map((g) => truncate(g));
  let f = makeFrame(width, height, tickLabels, names, 0);
  const band = (f.right - f.left) / Math.max(1, opts.groups.length);
  // Labels wider than their band are slanted (35°) and the plot shrinks upward to make room. They are cut
  // short enough that the first one, which hangs down-left from its group, stays on the canvas.
  const slant = groupLabels.some((l) => textWidth(l) > band - 4);
  if (slant) {
    const fit = Math.max(6, Math.floor((f.left + band / 2 - 4) / (CHAR_W * Math.cos(Math.PI * 35 / 180))));
    groupLabels = opts.groups.map((g) => truncate(g, Math.min(MAX_LABEL_CHARS, fit)));
    const longest = Math.max(0, ...groupLabels.map((l) => textWidth(l)));
    f = makeFrame(width, height, tickLabels, names, Math.min(height / 3, longest * Math.sin(Math.PI * 35 / 180)));
  }

  const out = open(width, height, opts.title,
    `<defs><pattern id="hatch-${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999999" stroke-width="2"/></pattern></defs>`);
  out.push(...yAxisSvg(yAxis, f, opts.yLabel));
  out.push(frameSvg(f));

  const baseline = logY ? f.bottom : project(yAxis, 0, f.bottom, f.top);
  const barW = (band * 0.8) / Math.max(1, opts.series.length);
  out.push('<g class="bars">');
  opts.groups.forEach((_g, g) => {
    opts.series.forEach((_s, s) => {
      const { colour } = seriesStyle(s);
      const x = f.left + g * band + band * 0.1 + s * barW;
      const w = Math.max(1, barW - 1);
      const cx = px(x + w / 2);
      const v = valueAt(s, g);
      if (v === undefined) {
        const h = Math.min(24, (f.bottom - f.top) / 4);
        out.push(`<rect class="bar missing" x="${px(x)}" y="${px(baseline - h)}" width="${px(w)}" height="${px(h)}" fill="url(#hatch-${id})" stroke="${colour}" stroke-dasharray="3 2"/>`);
        // Always shown, even if wider than the bar: silently hiding a missing value is worse than a crowded label.
        out.push(`<text class="value na" x="${cx}" y="${px(baseline - h - 3)}" text-anchor="middle" font-size="10" fill="#555555">n/a</text>`);
        return;
      }
      const y = project(yAxis, v, f.bottom, f.top);
      const top = Math.min(y, baseline);
      out.push(`<rect class="bar" x="${px(x)}" y="${px(top)}" width="${px(w)}" height="${px(Math.abs(baseline - y))}" fill="${colour}"/>`);
      const label = formatTick(v);
      if (textWidth(label, 10) <= barW + 2) {
        const ly = v < 0 && !logY ? y + 11 : y - 3;
        out.push(`<text class="value" x="${cx}" y="${px(ly)}" text-anchor="middle" font-size="10">${escapeXml(label)}</text>`);
      }
    });
  });
  out.push('</g>', '<g class="groups">');
  groupLabels.forEach((label, g) => {
    const cx = px(f.left + (g + 0.5) * band);
    const y = px(f.bottom + 16);
    out.push(slant
      ? `<text class="group" x="${cx}" y="${y}" text-anchor="end" transform="rotate(-35 ${cx} ${y})">${escapeXml(label)}</text>`
      : `<text class="group" x="${cx}" y="${y}" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  out.push('</g>');
  out.push(...legendSvg(opts.series.map((s, i) => ({ name: s.name, ...seriesStyle(i) })), f, 'box'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
