/** A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise (CI logs). */
export class Progress {
  private lastDecile = -1;
  private readonly started = performance.now();
  constructor(private readonly label: string, private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(done: number): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${elapsed}s`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${this.label}: ${done}/${this.total} (${decile * 10} %) after ${elapsed}s\n`);
    }
  }

  done(): void { if (this.out.isTTY) this.out.write('\n'); }
}
