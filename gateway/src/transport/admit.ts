/**
 * Every connection, whatever listener it came through, reaches the one Aedes instance the same
 * way: within the bound on connections waiting to authenticate, behind the packet-size guard,
 * then through the broker's authenticate and ACL hooks.
 */
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import type { Rejections } from '@layerfleet/protocol';
import { PacketSizeGuard } from '../packet-size-guard.js';
import type { ConnectionGate } from '../connection-gate.js';

/** Hands a byte stream carrying MQTT to the broker; `remote` names the peer in rejections. */
export type Admit = (stream: Duplex, remote: string) => void;

export function admitGuarded(aedes: Aedes, rejections: Rejections, gate: ConnectionGate): Admit {
  return (stream, remote) => {
    const full = gate.admit(stream);
    if (full) {
      rejections.count('connection-limit', `${remote} closed on arrival: ${full}`);
      stream.destroy();
      return;
    }
    const guard = new PacketSizeGuard();
    // Registered before Aedes's own listener, so an oversize packet is cut in the chunk that declares it.
    stream.on('data', (chunk: Buffer) => {
      const err = guard.check(chunk);
      if (!err) return;
      rejections.count('oversize-packet', `${remote}: ${err.message}; connection closed`);
      stream.destroy();
    });
    aedes.handle(stream);
  };
}
