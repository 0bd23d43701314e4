/**
 * The `--state` directory. Commands that set a fleet up (gateway, agent, enroll, certs init)
 * make it, as `mkdir -p` would; commands that only look at one (devices, ledger verify, keys
 * rotate) refuse a missing one by name, since an empty answer from a mistyped path reads as
 * "no devices" or "nothing wrong".
 */
import { mkdir, stat } from 'node:fs/promises';

export const DEFAULT_STATE_DIR = '.layerfleet';

/** Makes `dir` (and its parents) if missing; names the flag when it cannot. */
export async function createdStateDir(dir: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(`--state: cannot create the state directory ${dir}: ${(err as Error).message}`);
  }
  return dir;
}

/** `dir` if it is an existing directory; otherwise an error saying where state directories come from. */
export async function existingStateDir(dir: string): Promise<string> {
  const found = await stat(dir).catch(() => undefined);
  if (!found) throw new Error(`--state: no state directory at ${dir}; give the --state DIR a gateway was started with (layerfleet gateway --state DIR creates one)`);
  if (!found.isDirectory()) throw new Error(`--state: ${dir} is not a directory`);
  return dir;
}
