// The dependency rule, checked (`.ci/run` runs this before the tests):
// 1. packages: the @layerfleet/* dependencies in the workspaces' package.json form no cycle, and
//    every @layerfleet/* import in a package's src/ or test/ is one its package.json declares
//    (an undeclared import is how a hidden cycle between packages starts);
// 2. modules: no import cycle among the TypeScript files of any package (dpdm).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const problems = [];

const deps = new Map();
for (const ws of workspaces) {
  const manifest = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  const ours = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((d) => d.startsWith('@layerfleet/'));
  deps.set(manifest.name, { ws, ours });
}

// 1a. cycles between packages (depth-first, reporting the cycle's path)
const state = new Map();
const visit = (name, path) => {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'open') { problems.push(`package cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`); return; }
  state.set(name, 'open');
  for (const d of deps.get(name)?.ours ?? []) visit(d, [...path, name]);
  state.set(name, 'done');
};
for (const name of deps.keys()) visit(name, []);

// 1b. every import of another package is declared
const tsFiles = (dir) => {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
};
for (const [name, { ws, ours }] of deps) {
  for (const file of [...tsFiles(join(root, ws, 'src')), ...tsFiles(join(root, ws, 'test'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(@layerfleet\/[a-z-]+)/g)) {
      if (m[1] !== name && !ours.includes(m[1])) problems.push(`${file.slice(root.length + 1)} imports ${m[1]}, which ${ws}/package.json does not declare`);
    }
  }
}

// 2. module cycles inside the packages
const globs = `{${workspaces.join(',')}}/{src,test}/**/*.ts`;
const dpdm = spawnSync(process.execPath, [join(root, 'node_modules', 'dpdm', 'lib', 'bin', 'dpdm.js'), '--no-warning', '--no-tree', '--no-progress', '--exit-code', 'circular:1', '-T', globs], { cwd: root, encoding: 'utf8' });
if (dpdm.status !== 0) problems.push(`module cycles (dpdm):\n${dpdm.stdout}${dpdm.stderr}`);

if (problems.length > 0) {
  console.error(`check-cycles: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-cycles: ${deps.size} packages, no cycle between packages or modules, every cross-package import declared`);
