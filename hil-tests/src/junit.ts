// JUnit XML, the report format CI systems (Jenkins, GitLab, GitHub actions) show without help.

export interface CaseResult {
  suite: string;
  name: string;
  seconds: number;
  /** Absent: passed. */
  failure?: string;
  skipped?: string;
  /** Figures worth keeping next to the verdict (system-out). */
  output?: string;
  /** The same figures as numbers, for the report's charts. */
  figures?: Record<string, number>;
}

const escape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // XML 1.0 cannot carry most control characters at all, even escaped.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');

export function toJUnitXml(rig: string, cases: CaseResult[]): string {
  const suites = [...new Set(cases.map((c) => c.suite))];
  const count = (cs: CaseResult[]) => ({
    tests: cs.length, failures: cs.filter((c) => c.failure !== undefined).length, skipped: cs.filter((c) => c.skipped !== undefined).length,
    time: cs.reduce((s, c) => s + c.seconds, 0).toFixed(3),
  });
  const all = count(cases);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${escape(rig)}" tests="${all.tests}" failures="${all.failures}" skipped="${all.skipped}" time="${all.time}">`];
  for (const suite of suites) {
    const cs = cases.filter((c) => c.suite === suite);
    const n = count(cs);
    lines.push(`  <testsuite name="${escape(suite)}" tests="${n.tests}" failures="${n.failures}" skipped="${n.skipped}" time="${n.time}">`);
    for (const c of cs) {
      const open = `    <testcase classname="${escape(`${rig}.${suite}`)}" name="${escape(c.name)}" time="${c.seconds.toFixed(3)}"`;
      const body: string[] = [];
      if (c.failure !== undefined) body.push(`      <failure message="${escape(c.failure.split('\n')[0]!)}">${escape(c.failure)}</failure>`);
      if (c.skipped !== undefined) body.push(`      <skipped message="${escape(c.skipped)}"/>`);
      if (c.output) body.push(`      <system-out>${escape(c.output)}</system-out>`);
      lines.push(body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/** The short human summary printed after a run. */
export function summaryLines(rig: string, cases: CaseResult[]): string[] {
  const lines = [`HIL rig ${rig}:`];
  for (const c of cases) {
    const verdict = c.failure !== undefined ? 'FAIL' : c.skipped !== undefined ? 'skip' : 'pass';
    lines.push(`  ${verdict}  ${c.suite} / ${c.name} (${c.seconds.toFixed(1)} s)${c.failure ? ` — ${c.failure.split('\n')[0]}` : c.skipped ? ` — ${c.skipped}` : c.output ? ` — ${c.output.split('\n')[0]}` : ''}`);
  }
  const failed = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  lines.push(`${cases.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
  return lines;
}
