/**
 * The built page (scripts/build-dashboard.mjs bundles web/ with esbuild into dist/web/, as part of
 * `npm run build`, `npm start` and `npm test`): what the gateway's HTTP port serves at `/`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset { contentType: string; body: Buffer }

/** dist/web beside this module's dist/src */
export const DASHBOARD_BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

const FILES: ReadonlyArray<[path: string, file: string, contentType: string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/app.css', 'app.css', 'text/css; charset=utf-8'],
];

/** Every file of the page by URL path, read once; or what is missing and how to build it. */
export function loadDashboardAssets(dir = DASHBOARD_BUILD_DIR): Map<string, DashboardAsset> | { missing: string } {
  const out = new Map<string, DashboardAsset>();
  for (const [path, file, contentType] of FILES) {
    try {
      out.set(path, { contentType, body: readFileSync(join(dir, file)) });
    } catch (err) {
      return { missing: `${join(dir, file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (run npm run build)` };
    }
  }
  return out;
}
