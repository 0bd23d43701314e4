import test from 'ava';
import { classifyLine, maskSecrets } from '../src/logging.js';

test('sentences become modules, levels and id fields; per-request ones are debug', (t) => {
  t.deepEqual(classifyLine('request cam1/cam1-ab12-7: queued (1 waiting, up to 5000 ms) because 4.b compute'), { module: 'orchestrator', level: 'debug', fields: { source: 'cam1', requestId: 'cam1-ab12-7' } });
  t.deepEqual(classifyLine('device edge-a joined: worker, 5.0 MMAC/s offered of 33 measured'), { module: 'registry', level: 'info', fields: { device: 'edge-a' } });
  t.deepEqual(classifyLine('rejected (replay): envelope from w1 …'), { module: 'rejections', level: 'warn', fields: { reason: 'replay' } });
  t.is(classifyLine('LEDGER WRITE FAILED: disk full')!.level, 'error');
  t.deepEqual(classifyLine('[w9] keys rotated: a → b in 12 ms'), { module: 'agent', level: 'info', fields: { device: 'w9' } });
  t.is(classifyLine('something new'), null);
});

test('secrets are masked in text', (t) => {
  t.is(maskSecrets('agent --enroll-token lfe1.edge-a.IsaP4FPkwVrMCcihwE0bXWVgG6ikAM8p started'), 'agent --enroll-token lfe1.edge-a.[redacted] started');
  t.is(maskSecrets('password=hunter22 and "token": "abc123def"'), 'password=[redacted] and "token": "[redacted]"');
  t.is(maskSecrets('device pi-1.host-1 joined'), 'device pi-1.host-1 joined', 'a board id is not a token');
});
