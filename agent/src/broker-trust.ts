/** Says what to do when the broker's TLS certificate could not be verified, instead of a bare OpenSSL code. */

// The codes node's TLS client gives a certificate it cannot chain to a trusted CA, or that names another host.
const UNVERIFIED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** `err` unchanged, or, for a broker certificate that failed verification, an error saying which CA to pass. */
export function explainBrokerTrust(err: Error, brokerUrl: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (!code || !UNVERIFIED.has(code)) return err;
  const fix = code === 'ERR_TLS_CERT_ALTNAME_INVALID'
    ? 'add the host name to the gateway certificate (layerfleet certs init --host NAME, or gateway --tls-host NAME)'
    : 'pass the fleet CA the gateway made (its DIR/tls/ca.crt) as the ca option (layerfleet agent --ca FILE)';
  return new Error(`the broker at ${brokerUrl} presented a certificate this device does not trust (${code}: ${err.message}): ${fix}`, { cause: err });
}
