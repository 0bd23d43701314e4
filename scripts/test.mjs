// Runs the ava suite and ends with the plain summary line CI reads: "N passed, N failed", plus
// ", K skipped" when tests were skipped (those needing a program this machine lacks, such as
// qemu-system-arm; each is listed above the summary with the reason in its title).
//
// Nothing may outlive the run or hang it. ava runs in a process group of its own: after it exits,
// any process left in that group (an emulator or a gateway some test did not stop) is listed with
// its command line, killed, and fails the run. A run that reports no test for longer than any
// test's own timeout is stuck: its processes are listed and killed the same way, and it fails.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** hil-rig and planner-cli allow a test 10 minutes (t.timeout); ava reports one that overruns. */
const STUCK_AFTER_MS = 12 * 60_000;

const args = ['ava', '--tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const group = child.pid;
let pass = 0, fail = 0, skip = 0, tail = '';
const skipped = [];

let stuck = false;
const watchdog = setTimeout(() => {
  stuck = true;
  console.error(`\ntest: no test finished for ${STUCK_AFTER_MS / 60_000} minutes; stopping the run. Its processes:`);
  reportAndKill(groupMembers());
}, STUCK_AFTER_MS);

child.stdout.on('data', (chunk) => {
  watchdog.refresh();
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
  else if ((m = /^ok \d+ - (.*) # SKIP$/.exec(line))) skipped.push(m[1]);
}

// ava is not in this terminal's foreground group any more, so pass Ctrl-C and kill on to it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killGroup(signal));

const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
const closed = new Promise((resolve) => child.once('close', resolve));
const code = await exited;
// A leftover that inherited ava's stdout would keep it open: wait for the rest of the output, not for that.
await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
clearTimeout(watchdog);
count(tail);

const leftovers = await lingering();
if (leftovers.length > 0) {
  console.error(`\ntest: ${leftovers.length} process(es) outlived the test run (a test or a test file did not stop them):`);
  reportAndKill(leftovers);
}
const clean = code === 0 && !stuck && leftovers.length === 0;
if (!clean && fail === 0) fail = 1; // a crash, a hang or a leftover outside any test still fails the run
for (const title of skipped) console.log(`skipped: ${title}`);
console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
process.exit(clean ? 0 : code || 1);

/** The processes of ava's group still running (zombies aside), from /proc where there is one (slim images lack ps), else ps. */
function groupMembers() {
  const rows = existsSync('/proc/self/stat') ? procTable() : psTable();
  return rows.filter((r) => r.pgid === group && r.state !== 'Z').map(({ pid, command }) => ({ pid, command }));
}

function procTable() {
  const rows = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      rows.push({ pid: Number(entry), pgid: Number(pgid), state, command });
    } catch {
      // it exited while being read
    }
  }
  return rows;
}

function psTable() {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return table.split('\n').map((row) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(row)).filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), state: m[3][0], command: m[4] }));
}

/** Members still there after a moment: a process that was already on its way out is not a leftover. */
async function lingering() {
  if (groupMembers().length === 0) return [];
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return groupMembers();
}

function reportAndKill(members) {
  for (const { pid, command } of members) console.error(`  pid ${pid}: ${command}`);
  killGroup('SIGKILL');
}

function killGroup(signal) {
  try {
    process.kill(-group, signal);
  } catch {
    // the group is empty already
  }
}
