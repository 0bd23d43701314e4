// What the ledger tests share: a gateway and two devices with fresh keys, a lookup that knows only
// the gateway's key, and a clock that always advances. The key generator is passed in (protocol's
// generateDeviceKeys), so test-support depends on none of our packages and any package's tests,
// protocol's included, may use it. Each test makes the gateway the ledger's keeper itself.
export function ledgerFixture<K extends { signPublic: Uint8Array }>(generateKeys: (id: string) => K) {
  const gw = generateKeys('gateway');
  let clock = 1_700_000_000_000;
  return {
    gw,
    edgeA: generateKeys('edge-a'),
    edgeB: generateKeys('edge-b'),
    lookup: (id: string): Uint8Array | undefined => (id === 'gateway' ? gw.signPublic : undefined),
    now: (): number => (clock += 7),
  };
}
