/** Helpers the packages' tests share: one copy each, so a fix reaches every test. */
export { hex, fromHex } from './hex.js';
export { until } from './until.js';
export { connectOutcome } from './mqtt-refusal.js';
export { ledgerFixture } from './ledger-fixture.js';
