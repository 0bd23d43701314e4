// The one HTTP surface an outsider reaches — the WebSocket listener's HTTP server (upgrades to
// /mqtt) — as fuzz targets (hostile-http.test.ts runs them with CI's budget, `npm run fuzz` with
// any), each against a running gateway (the dashboardListener fixture). Hostile requests — any
// method, path, headers, broken upgrades, raw bytes — get an HTTP error or a closed socket, never a
// crash or a hang; after a successful upgrade, frames of any content are refused.
import fc from 'fast-check';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '@layerfleet/gateway';
import { fuzzTarget, type FuzzFixture, type FuzzTarget } from '@layerfleet/test-support';

/**
 * Sends `bytes`, then reads until the server closes or `quietMs` pass; the answer's first line.
 * Where an answer must come, `answerWithinMs` waits longer for its first byte, and `quietMs` counts
 * from there: on a loaded machine the answer itself can take longer than `quietMs`.
 */
function exchange(port: number, bytes: Uint8Array, quietMs = 300, answerWithinMs = quietMs): Promise<{ statusLine: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ statusLine: Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '', closed });
    };
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => {
      if (chunks.length === 0 && answerWithinMs !== quietMs) { clearTimeout(timer); timer = setTimeout(() => done(false), quietMs); }
      chunks.push(c);
    });
    socket.once('close', () => done(true));
    socket.once('connect', () => { socket.write(bytes); timer = setTimeout(() => done(false), answerWithinMs); });
  });
}

/** A gateway with its WebSocket listener on a free port, in a state directory of its own. */
export interface RunningListener {
  readonly gateway: Gateway;
  readonly stateDir: string;
  readonly port: number;
}
export const dashboardListener: FuzzFixture<RunningListener> = {
  name: 'a gateway with its WebSocket listener',
  async start() {
    const stateDir = await mkdtemp(join(tmpdir(), 'lf-http-'));
    const gateway = await startGateway({ port: 0, wsPort: 0, stateDir });
    return { gateway, stateDir, port: Number(new URL(gateway.urls.ws!).port) };
  },
  async stop({ gateway, stateDir }) {
    await gateway.close();
    await rm(stateDir, { recursive: true, force: true });
  },
};

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('websocket', 'Upgrade', '13', 'mqtt', '', 'dGhlIHNhbXBsZSBub25jZQ=='));
const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE'), token),
  path: fc.oneof(fc.constantFrom('/mqtt', '/', '/mqtt?x=1', '*', '//mqtt', '/%00', `/${'a'.repeat(5000)}`), fc.string({ maxLength: 60 })),
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FOO'),
  headers: fc.array(fc.tuple(fc.oneof(fc.constantFrom('Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Content-Length', 'Transfer-Encoding', 'Host'), token), headerValue), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 200 }),
});
const render = (r: { method: string; path: string; version: string; headers: Array<[string, string]>; body: Uint8Array }) =>
  Buffer.concat([Buffer.from(`${r.method} ${r.path} ${r.version}\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'), Buffer.from(r.body)]);
const LISTENER = 'WebSocket listener (HTTP)';

/** How the listener answered, by status (or 'closed', 'silent'): the ava test checks plain requests were told what to do. */
export const structuredRequestsGetAnErrorOrClose: FuzzTarget<Map<string, number>, RunningListener> = {
  decoder: LISTENER, claim: 'any method, path, headers: an HTTP error or a close; 101 only for a valid upgrade', ci: { seed: 601, numRuns: 300 }, fixture: dashboardListener,
  arm({ port }) {
    const answers = new Map<string, number>();
    return {
      tally: answers,
      property: fc.asyncProperty(request, async (r) => {
        const { statusLine, closed } = await exchange(port, render(r));
        const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
        const answer = status ?? (closed ? 'closed' : 'silent');
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
        if (status === '101') {
          const key = r.headers.find(([k]) => k.toLowerCase() === 'sec-websocket-key')?.[1] ?? '';
          return r.path.split('?')[0] === '/mqtt' && /^[A-Za-z0-9+/]{22}==$/.test(key);
        }
        return status !== undefined || closed || statusLine === '';
      }),
    };
  },
};

export const rawBytesGetAnErrorOrClose = fuzzTarget({ decoder: LISTENER, claim: 'raw bytes: an HTTP error or a close, never 101', ci: { seed: 602, numRuns: 300 }, fixture: dashboardListener },
  ({ port }) => fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2000 }), async (b) => {
    const { statusLine, closed } = await exchange(port, b, 150);
    return !statusLine.startsWith('HTTP/1.1 101') && (closed || statusLine === '' || /^HTTP\/1\.1 \d{3}/.test(statusLine));
  }));

/** A valid upgrade, then frames of any content (masked as a client must): refused, never parsed as MQTT that gets in. */
export const framesAfterUpgradeRefused = fuzzTarget({ decoder: LISTENER, claim: 'a valid upgrade, then frames of any content: upgraded, nothing gets in', ci: { seed: 603, numRuns: 150 }, fixture: dashboardListener },
  ({ port }) => {
    const upgrade = Buffer.from('GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n');
    return fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (frames) => {
      // The 101 must come: 10 s for it (the listener's own upgrade timeout), then 150 ms for the frames' effect.
      const { statusLine, closed } = await exchange(port, Buffer.concat([upgrade, Buffer.from(frames)]), 150, 10_000);
      if (statusLine !== 'HTTP/1.1 101 Switching Protocols') throw new Error(`a valid upgrade got ${JSON.stringify(statusLine)} and the socket was ${closed ? 'closed' : 'left open'}`);
    });
  });
