/**
 * Entry point of the route-changes service: config -> wiring -> start/stop.
 */
import type convict from 'convict';
import { runService } from '../runtime/service.js';
import { routeChangesSchema, type RouteChangesConfig } from './config.js';
import { startRouteChanges } from './service.js';

await runService<RouteChangesConfig>({
  name: 'route-changes',
  description:
    'Keeps every monitored peer\'s routes from the ingest topics and publishes, per peer, RIB view, family and time window, what changed (route_changes) and which prefixes flapped (prefix_flaps), exactly once',
  schema: routeChangesSchema as unknown as convict.Schema<RouteChangesConfig>,
  gracePeriodMs: (c) => c.routeChanges.gracePeriodMs,
  async start(config, logger) {
    const running = await startRouteChanges(config, logger);
    return () => running.stop();
  },
});
