// Progress of a long fuzz run on stderr: which target, how many cases. On a terminal one line
// rewritten in place; into a log file a line every ten seconds, so that the log stays readable.

export interface FuzzProgress {
  /** A target starts: "[3/58] decodeMessage: arbitrary bytes …" */
  start(label: string, total: number): void;
  cases(done: number): void;
  /** The target is done; its summary stays on screen. */
  finish(summary: string): void;
}

export function fuzzProgress(stream: NodeJS.WriteStream = process.stderr): FuzzProgress {
  const live = stream.isTTY === true;
  const everyMs = live ? 250 : 10_000;
  let label = '';
  let total = 0;
  let startedAt = 0;
  let shownAt = 0;
  let clockReadAt = 0;
  const show = (done: number) => {
    const seconds = (performance.now() - startedAt) / 1000;
    const text = `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} cases, ${seconds.toFixed(0)} s`;
    stream.write(live ? `\r\x1b[K${text.slice(0, (stream.columns ?? 120) - 1)}` : `${text}\n`);
  };
  return {
    start(l, t) {
      label = l;
      total = t;
      startedAt = shownAt = performance.now();
      clockReadAt = 0;
      if (!live) stream.write(`${label}\n`);
    },
    cases(done) {
      // A clock read every case would cost more than some cases do: one every 64 cases at most.
      if (done - clockReadAt < 64) return;
      clockReadAt = done;
      const now = performance.now();
      if (now - shownAt < everyMs) return;
      shownAt = now;
      show(done);
    },
    finish(summary) {
      stream.write(live ? `\r\x1b[K${label}: ${summary}\n` : `${label}: ${summary}\n`);
    },
  };
}
