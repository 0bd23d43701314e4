/**
 * Every rejected input is counted by reason and the latest detail kept, for telemetry and logs.
 * Logging is bounded per reason (a flood of refused connections must not become a flood of log
 * lines): the first LOG_BURST of a reason in each LOG_WINDOW_MS are logged, the rest only counted
 * and summed up in one line when the reason next comes up after the window.
 */
export const LOG_BURST = 10;
export const LOG_WINDOW_MS = 10_000;

interface LogWindow { start: number; logged: number; suppressed: number }

export class Rejections {
  readonly byReason = new Map<string, number>();
  readonly lastDetail = new Map<string, string>();
  private readonly windows = new Map<string, LogWindow>();
  constructor(private readonly log: (line: string) => void = () => {}, private readonly now: () => number = Date.now) {}

  count(reason: string, detail: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.lastDetail.set(reason, detail);
    const now = this.now();
    let w = this.windows.get(reason);
    if (!w || now - w.start >= LOG_WINDOW_MS) {
      if (w && w.suppressed > 0) this.log(`rejected (${reason}): ${w.suppressed} more not logged between ${new Date(w.start).toISOString()} and ${new Date(w.start + LOG_WINDOW_MS).toISOString()}`);
      w = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(reason, w);
    }
    if (w.logged < LOG_BURST) {
      w.logged++;
      this.log(`rejected (${reason}): ${detail}`);
    } else {
      w.suppressed++;
    }
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }
}
