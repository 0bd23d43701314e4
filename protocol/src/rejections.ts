/** Every rejected input is counted by reason and the latest detail kept, for telemetry and logs. */
export class Rejections {
  readonly byReason = new Map<string, number>();
  readonly lastDetail = new Map<string, string>();
  constructor(private readonly log: (line: string) => void = () => {}) {}

  count(reason: string, detail: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.lastDetail.set(reason, detail);
    this.log(`rejected (${reason}): ${detail}`);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }
}
