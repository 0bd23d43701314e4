export * from './device-store.js';
export * from './enrolment-tokens.js';
export * from './enrolment-grant.js';
export * from './access.js';
export * from './enrolment.js';
export * from './key-rotation.js';
export * from './revocation-watch.js';
export * from './admission.js';
