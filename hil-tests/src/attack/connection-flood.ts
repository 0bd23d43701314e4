/**
 * A connection flood from one host, as raw sockets (an attacker does not run a polite client):
 * sockets that connect and never speak, and waves of CONNECTs with credentials that fail —
 * most with an id nobody enrolled, some with an enrolled id and a well-formed but false
 * signature, which costs the broker an Ed25519 verification each.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { generate } from 'mqtt-packet';
import { encodeCbor } from '@layerfleet/protocol';

export interface FloodOptions {
  port: number;
  host?: string;
  /** sockets opened at the start that never send a byte */
  idleSockets: number;
  /** CONNECTs in flight at once */
  wave: number;
  /** at least this many CONNECTs in all */
  minConnects: number;
  /** and for at least this long (past the broker's CONNECT timeout, so idle sockets are dropped mid-flood) */
  minMs: number;
  /** an enrolled id to present with false signatures */
  enrolledId: string;
}

export interface FloodReport {
  idleSockets: number;
  connects: number;
  /** CONNECTs answered with a refusing CONNACK */
  refusedByConnack: number;
  /** sockets the broker closed without a CONNACK (over the pending-connection bound, or idle too long) */
  closedWithoutAnswer: number;
  /** CONNECTs the broker accepted: must stay 0 */
  accepted: number;
  ms: number;
}

type Outcome = 'connack-refused' | 'closed' | 'accepted';

function oneConnect(port: number, host: string, packet: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    let outcome: Outcome = 'closed';
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(packet));
    socket.on('data', (chunk: Buffer) => {
      // CONNACK: 0x20 0x02 flags returnCode
      if (chunk[0] === 0x20 && chunk.length >= 4) outcome = chunk[3] === 0 ? 'accepted' : 'connack-refused';
      socket.destroy();
    });
    socket.once('close', () => resolve(outcome));
  });
}

function idleSocket(port: number, host: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.on('error', () => {});
    socket.once('close', () => resolve());
  });
}

function connectPacket(n: number, enrolledId: string): Buffer {
  // One in four presents an enrolled id with a false signature: the costly check.
  const posing = n % 4 === 0;
  const clientId = posing ? enrolledId : `flood-${n}`;
  const password = posing ? Buffer.from(encodeCbor([Date.now(), randomBytes(64)])) : randomBytes(16);
  return generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, clientId, username: clientId, password });
}

/**
 * Idle sockets first (they fill the broker's bound on connections waiting to authenticate), and
 * CONNECT waves from the start; resolves when every socket it opened has been closed.
 */
export async function connectionFlood(opts: FloodOptions): Promise<FloodReport> {
  const host = opts.host ?? '127.0.0.1';
  const started = performance.now();
  const idle = Array.from({ length: opts.idleSockets }, () => idleSocket(opts.port, host));
  const report: FloodReport = { idleSockets: opts.idleSockets, connects: 0, refusedByConnack: 0, closedWithoutAnswer: 0, accepted: 0, ms: 0 };
  while (report.connects < opts.minConnects || performance.now() - started < opts.minMs) {
    const wave = await Promise.all(Array.from({ length: opts.wave }, (_, i) => oneConnect(opts.port, host, connectPacket(report.connects + i, opts.enrolledId))));
    report.connects += wave.length;
    for (const o of wave) {
      if (o === 'accepted') report.accepted++;
      else if (o === 'connack-refused') report.refusedByConnack++;
      else report.closedWithoutAnswer++;
    }
  }
  await Promise.all(idle);
  report.ms = performance.now() - started;
  return report;
}
