/**
 * Helpers the packages' tests share: one copy each, so a fix reaches every test. Nothing here loads
 * ava (`npm run fuzz` runs the properties outside it); what does is `@layerfleet/test-support/ava`.
 */
export { hex, fromHex } from './hex.js';
export { until } from './until.js';
export { connectOutcome } from './mqtt-refusal.js';
export { ledgerFixture } from './ledger-fixture.js';
export { fuzzTarget, isFuzzTarget, type ArmedProperty, type FuzzBudget, type FuzzFixture, type FuzzTarget } from './fuzz-target.js';
export { checkAsInCi } from './check-as-in-ci.js';
export { missingTools, describeMissingTools, isCiRun, whereIs, type RequiredTool } from './required-tools.js';
