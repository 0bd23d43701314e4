export * from './gateway.js';
export * from './registry.js';
export type { Outcome, RouteEvent, RouteChangeReason } from './standing-routes.js';
export { catalogEntry, defaultCatalog, type ModelEntry } from './model-catalog.js';
export * from './trust/index.js';
export { ensureCertificates, serverNames, TLS_DIR, type FleetCertificates } from './transport/certificates.js';
export type { ListenerOptions } from './transport/listener-options.js';
export type { BrokerUrls } from './broker.js';
export * from './stream-rate.js';
// the broker on its own, for a benchmark of it with the gateway's access hooks (cli bench e2e)
export { startBroker, type Broker, type BrokerOptions, type Authenticator } from './broker.js';
