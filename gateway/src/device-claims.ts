/**
 * Device actions in the ledger, in the devices' own words. A device signs a 'layer' claim for
 * every hop it computes (it travels in the trace) and the source signs a 'result' claim; the
 * gateway records those claims as they are, after checking that each says what the result says
 * and is signed with the key the ledger holds for its actor. So "w1 computed layers 2–3 of
 * request r" in the ledger is w1's signature, not the gateway's say-so about w1.
 *
 * A hop without a claim, with one that says something else or with a signature the ledger's key
 * does not verify (forged, relayed wrongly, or signed with a key the device has since rotated
 * away from) is counted as 'ledger-claim' and recorded by the gateway instead, with
 * `witnessed: true`: the action is still on record, and a reader sees that no device signed it.
 *
 * The checks run before anything is appended, so every entry of an outcome (hops in order, then
 * the result) goes in in call order, whichever way each one goes. Nothing here throws: a ledger
 * problem must never cost the request its answer.
 */
import {
  claimSignatureValid, decodeSignedClaim, nativeCrypto,
  type ClaimInput, type HopTiming, type LedgerData, type Rejections, type SignedClaim, type VerifySignature,
} from '@layerfleet/protocol';
import type { Outcome } from './standing-routes.js';
import type { Ledger } from '@layerfleet/ledger';

export interface DeviceClaimsDeps {
  ledger: Pick<Ledger, 'appendSigned' | 'enrolled'>;
  /** Appends the gateway's own claim (its witness entry); reports write failures itself. */
  record(claim: ClaimInput): void;
  rejections: Rejections;
  log(line: string): void;
  verifySignature?: VerifySignature;
}

const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80);
const sameLayers = (a: unknown, b: number[]) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);

/** Records what the devices did for a finished request: each hop's 'layer' and, if it completed, the source's 'result'. */
export function recordOutcome(o: Outcome, deps: DeviceClaimsDeps): void {
  const request = `${o.source}/${o.requestId}`;
  try {
    const seen = new Set<string>();
    for (const hop of o.hops ?? []) {
      const witness: LedgerData = { device: hop.device, requestId: o.requestId, layers: hop.layers, ms: hop.ms };
      record(deps, 'layer', hop.device, request, hop.claim, (c) => layerProblem(c, hop, o, seen), witness);
    }
    const result: LedgerData = { requestId: o.requestId, source: o.source, outcome: o.outcome, ...(o.reason ? { reason: o.reason } : {}), ...(o.predicted === undefined ? {} : { predicted: o.predicted }) };
    // A failure is the gateway's own finding (timeouts, nothing feasible): no device has anything to sign.
    if (o.outcome === 'completed') record(deps, 'result', o.source, request, o.resultClaim, (c) => resultProblem(c, o), result);
    else deps.record({ action: 'result', data: result });
  } catch (err) {
    deps.log(`LEDGER: cannot record request ${request}: ${(err as Error).message}`);
  }
}

/**
 * Appends `claimBytes` when it is `actor`'s valid claim for this request, else counts why not and
 * appends the gateway's witness entry `witness`.
 */
function record(
  deps: DeviceClaimsDeps, action: 'layer' | 'result', actor: string, request: string, claimBytes: Uint8Array | undefined,
  problemOf: (c: SignedClaim) => string | null, witness: LedgerData,
): void {
  const refuse = (why: string) => {
    deps.rejections.count('ledger-claim', `${action} claim of ${actor} for request ${request}: ${why}; recorded as witnessed by the gateway`);
    deps.record({ action, data: { ...witness, witnessed: true } });
  };
  if (!claimBytes) return refuse('none was sent');
  let c: SignedClaim;
  try {
    c = decodeSignedClaim(claimBytes);
  } catch (err) {
    return refuse((err as Error).message);
  }
  const why = problemOf(c) ?? keyProblem(c, deps);
  if (why) return refuse(why);
  // Verified just now with the ledger's key for the actor: the ledger only checks the key is still that one.
  deps.ledger.appendSigned(claimBytes, deps.ledger.enrolled(c.claim.actor)!.signPublic).catch((err: Error & { code?: string }) => {
    // Checked above against the same keys, so a refusal here means they changed in between.
    if (err.code === 'rejected') refuse(err.message);
    else deps.log(`LEDGER WRITE FAILED: ${err.message}`);
  });
}

/** Why the ledger would refuse the claim's signature (checked here so the order of entries never depends on it). */
function keyProblem(c: SignedClaim, deps: DeviceClaimsDeps): string | null {
  const { actor } = c.claim;
  const known = deps.ledger.enrolled(actor);
  if (!known) return `the ledger holds no key for ${actor}`;
  if (known.revokedAt !== undefined) return `${actor} was revoked (ledger entry ${known.revokedAt})`;
  if (!claimSignatureValid(c, known.signPublic, deps.verifySignature ?? nativeCrypto.ed25519Verify)) {
    return `the signature does not verify with ${actor}'s key in the ledger (forged, altered, or signed with a key it rotated away from)`;
  }
  return null;
}

function layerProblem(c: SignedClaim, hop: HopTiming, o: Outcome, seen: Set<string>): string | null {
  const { actor, action, data } = c.claim;
  if (action !== 'layer') return `it is a '${action}' claim`;
  if (actor !== hop.device) return `it is signed by ${actor}, not by the hop's device`;
  if (data.device !== hop.device) return `it names device ${show(data.device)}`;
  if (data.requestId !== o.requestId) return `it names request ${show(data.requestId)}`;
  if (!sameLayers(data.layers, hop.layers)) return `it names layers ${show(data.layers)}, the hop ${show(hop.layers)}`;
  if (data.ms !== hop.ms) return `it says ${show(data.ms)} ms, the hop ${hop.ms}`;
  const attempt = data.attempt;
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 0 || attempt >= o.attempts) return `attempt ${show(attempt)} was never planned (${o.attempts} attempts)`;
  const key = Buffer.from(c.sig).toString('hex');
  if (seen.has(key)) return 'the same claim came twice in one trace';
  seen.add(key);
  return null;
}

function resultProblem(c: SignedClaim, o: Outcome): string | null {
  const { actor, action, data } = c.claim;
  if (action !== 'result') return `it is a '${action}' claim`;
  if (actor !== o.source) return `it is signed by ${actor}, not by the source`;
  if (data.source !== o.source) return `it names source ${show(data.source)}`;
  if (data.requestId !== o.requestId) return `it names request ${show(data.requestId)}`;
  if (data.outcome !== 'completed') return `it says outcome ${show(data.outcome)}`;
  if (data.predicted !== o.predicted) return `it says predicted ${show(data.predicted)}, the result ${o.predicted}`;
  if (data.label !== undefined && data.label !== o.label) return `it says label ${show(data.label)}, the request ${o.label}`;
  return null;
}

/** The outcome as telemetry shows it: plain JSON, so the signed claims (bytes) stay out. */
export function outcomeTelemetry(o: Outcome): Record<string, unknown> {
  const { resultClaim: _, hops, ...rest } = o;
  return { ...rest, ...(hops ? { hops: hops.map(({ claim: _c, ...h }) => h) } : {}) };
}
