// Finds the fuzz targets: every named export of shape FuzzTarget in <workspace>/test/*.properties.ts
// of each workspace in the root package.json, loaded from its compiled dist/test/*.properties.js.
// Found rather than listed, so that a new properties file is fuzzed without registering it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isFuzzTarget, type FuzzTarget } from './fuzz-target.js';

export interface FoundTarget {
  /** "protocol/test/hostile-envelope.properties.ts" */
  readonly file: string;
  readonly exportName: string;
  readonly target: FuzzTarget<unknown, unknown>;
}

export async function discoverFuzzTargets(root: string): Promise<FoundTarget[]> {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const found: FoundTarget[] = [];
  for (const workspace of workspaces) {
    const testDir = join(root, workspace, 'test');
    if (!existsSync(testDir)) continue;
    // Sources, not dist: a properties file deleted from test/ may still have a stale build in dist/.
    for (const source of readdirSync(testDir).filter((f) => f.endsWith('.properties.ts')).sort()) {
      const compiled = join(root, workspace, 'dist', 'test', source.replace(/\.ts$/, '.js'));
      if (!existsSync(compiled)) throw new Error(`${workspace}/test/${source} is not built (no ${compiled}); run npx tsc -b`);
      const module = (await import(pathToFileURL(compiled).href)) as Record<string, unknown>;
      const targets = Object.entries(module).flatMap(([exportName, value]) => (isFuzzTarget(value) ? [{ exportName, target: value }] : []));
      if (targets.length === 0) throw new Error(`${workspace}/test/${source} exports no fuzz target`);
      // A module's exports come in alphabetical order; CI's seeds follow the order of the file.
      targets.sort((a, b) => a.target.ci.seed - b.target.ci.seed);
      found.push(...targets.map((t) => ({ file: `${workspace}/test/${source}`, ...t })));
    }
  }
  return found;
}
