/** The audit ledger: what the gateway, `layerfleet ledger verify` and other readers use. */
export {
  ACTIONS, LedgerError, signClaim, signerFromKeys, decodeSignedClaim, decodeEntry, MAX_DATA_BYTES,
  type LedgerAction, type LedgerData, type LedgerEntry, type LedgerErrorCode, type ClaimInput, type Claim, type Signer, type VerifySignature,
} from './entry.js';
export { LEDGER_DIR, LEDGER_FILE, ledgerFile, MAGIC, frameRecord, readFrame } from './frame.js';
export { Ledger, ledgerTelemetry, LEDGER_TOPIC, type LedgerHead, type LedgerOptions, type TornTail } from './ledger.js';
export { MerkleTree, leafHash, nodeHash, verifyInclusion, EMPTY_ROOT, type InclusionProof } from './merkle.js';
export { verifyLedger, verifyLedgerBytes, resolveLedgerFile, KEEPER_ID, type KeyLookup, type LedgerProblem, type LedgerReport, type VerifyOptions } from './verify.js';
export { benchLedger, type LedgerBench } from './bench.js';
export { readCheckpoint, writeCheckpoint, checkpointPath, CHECKPOINT_FILE, type Checkpoint } from './checkpoint.js';
export { acquireWriterLock, type WriterLock } from './writer-lock.js';
export { readLedgerEntries } from './read-entries.js';
