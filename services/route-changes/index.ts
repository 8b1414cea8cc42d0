/**
 * The route-change aggregator (issue "Consumer services"): route_monitoring, peer_down and router
 * records in; per-window route_changes records and prefix_flaps records out; state snapshot and
 * restore per partition. Pure: the Kafka wiring lives elsewhere.
 */
export { RouteChangeAggregator, DEFAULT_AGGREGATOR_CONFIG, type AggregatorConfig, type AggregatorStats } from './aggregator.js';
export { RouteChange, type RouteChangeKind, type Classification } from './classify.js';
export { CHANGED, type ChangedAttribute } from './attributes.js';
export { snapshotAggregator, restoreAggregator, SNAPSHOT_VERSION } from './snapshot.js';
export { routeKey, parseRouteKey } from './route-key.js';
export { outputKey, type AggregatorOutput, type ChangePeerFields, type PrefixChangeCount, type PrefixFlapRecord, type RouteChangesRecord } from './model.js';
