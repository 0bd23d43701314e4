export * from './gateway.js';
export * from './registry.js';
export type { Outcome, RouteEvent, RouteChangeReason } from './standing-routes.js';
export { catalogEntry, defaultCatalog, type ModelEntry } from './model-catalog.js';
export * from './trust/index.js';
export { ensureCertificates, serverNames, TLS_DIR, type FleetCertificates } from './transport/certificates.js';
export type { ListenerOptions } from './transport/listener-options.js';
export type { BrokerUrls } from './broker.js';
export * from './stream-rate.js';
// The broker (auth + ACL hooks) and envelope capture on their own: a benchmark of the broker with the gateway's
// access hooks (cli bench e2e), and other systems on the same fleet (split-training/).
export { startBroker, type Authenticator, type Broker, type BrokerOptions } from './broker.js';
export type { ClientRole, Routes } from './broker-acl.js';
export { Capture } from './capture.js';
