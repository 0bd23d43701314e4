// What the ledger tests share: a gateway and two devices with fresh keys, the gateway as the
// ledger's keeper, a lookup that knows only the gateway's key, and a clock that always advances.
import { generateDeviceKeys } from '@layerfleet/protocol';
import { signerFromKeys, type KeyLookup } from '../src/ledger/index.js';

export const gw = generateDeviceKeys('gateway');
export const edgeA = generateDeviceKeys('edge-a');
export const edgeB = generateDeviceKeys('edge-b');
export const keeper = signerFromKeys(gw);
export const lookup: KeyLookup = (id) => (id === 'gateway' ? gw.signPublic : undefined);
let clock = 1_700_000_000_000;
export const now = (): number => (clock += 7);
