// Builds the dashboard page (dashboard/web → dashboard/dist/web): type-checks the browser code,
// bundles it with esbuild (preact, htm, uPlot and mqtt.js's browser build, all from node_modules:
// nothing is fetched), and copies the HTML and CSS. Skips the work when the output is newer than
// every input. `npm run build`, `npm start` and `npm test` run it (scripts/ensure-ready.mjs).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'dashboard');
const out = join(pkg, 'dist', 'web');
const inputs = [
  ...readdirSync(join(pkg, 'web')).map((f) => join(pkg, 'web', f)),
  ...readdirSync(join(pkg, 'src')).map((f) => join(pkg, 'src', f)),
  join(root, 'package-lock.json'),
];
const newest = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
const outputs = ['index.html', 'app.js', 'app.css'].map((f) => join(out, f));
const oldest = Math.min(...outputs.map((f) => { try { return statSync(f).mtimeMs; } catch { return 0; } }));
if (oldest > newest && !process.argv.includes('--force')) process.exit(0);

const require = createRequire(join(pkg, 'package.json'));
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(pkg, 'web')], { stdio: 'inherit' });
const esbuild = await import(require.resolve('esbuild'));
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [join(pkg, 'web', 'app.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
copyFileSync(join(pkg, 'web', 'index.html'), join(out, 'index.html'));
writeFileSync(join(out, 'app.css'), `${readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')}\n${readFileSync(join(pkg, 'web', 'app.css'), 'utf8')}`);
console.error(`dashboard: built ${out} (app.js ${(bytes / 1024).toFixed(0)} KiB)`);
