// Makes `npm start` / `npm test` work on a fresh clone: install once, then an incremental build.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.error('layerfleet: installing dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
run('npx tsc -b');
// The dashboard page (esbuild bundle of dashboard/web): quiet when up to date.
run('node scripts/build-dashboard.mjs');
// The firmware: the host board always, the Cortex-M7 images when arm-none-eabi-gcc is installed
// (the Makefile decides). Quiet when everything is up to date.
run('make -s -C firmware-bindings/firmware all');
