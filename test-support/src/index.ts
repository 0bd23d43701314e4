/** Helpers the packages' tests share: one copy each, so a fix reaches every test. */
export { hex, fromHex } from './hex.js';
export { missingTools, describeMissingTools, isCiRun, type RequiredTool } from './required-tools.js';
export { testNeeding } from './test-needing.js';
