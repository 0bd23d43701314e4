// Runs the ava suite and ends with the plain summary line CI reads: "N passed, N failed".
import { spawn } from 'node:child_process';

const args = ['ava', '--tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });
let pass = 0, fail = 0, skip = 0, tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = tail + chunk.toString();
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) count(line);
});
function count(line) {
  let m;
  if ((m = /^# pass (\d+)/.exec(line))) pass = Number(m[1]);
  else if ((m = /^# fail (\d+)/.exec(line))) fail = Number(m[1]);
  else if ((m = /^# skip (\d+)/.exec(line))) skip = Number(m[1]);
}
child.on('close', (code) => {
  count(tail);
  if (code !== 0 && fail === 0) fail = 1; // a crash outside any test still fails the run
  console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
  process.exit(code ?? 1);
});
