/**
 * Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`, with
 * `context()` (a log tail, say) appended so a failure shows what the processes said.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000, context?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? `; log:\n${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
