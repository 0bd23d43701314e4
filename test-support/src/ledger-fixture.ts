// What the ledger tests share: a gateway and two devices with fresh keys, a lookup that knows only
// the gateway's key, and a clock that always advances. Each test makes the gateway the ledger's
// keeper itself (`signerFromKeys(gw)`), so this file needs nothing of the ledger package.
import { generateDeviceKeys } from '@layerfleet/protocol';

export const gw = generateDeviceKeys('gateway');
export const edgeA = generateDeviceKeys('edge-a');
export const edgeB = generateDeviceKeys('edge-b');
export const lookup = (id: string): Uint8Array | undefined => (id === 'gateway' ? gw.signPublic : undefined);
let clock = 1_700_000_000_000;
export const now = (): number => (clock += 7);
