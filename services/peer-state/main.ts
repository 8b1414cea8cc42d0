/**
 * Entry point of the peer-state service: config -> wiring -> start/stop.
 */
import type convict from 'convict';
import { runService } from '../runtime/service.js';
import { peerStateSchema, type PeerStateConfig } from './config.js';
import { startPeerState } from './service.js';

await runService<PeerStateConfig>({
  name: 'peer-state',
  description:
    'Keeps the state of every monitored router and BGP peer from the ingest topics, publishes each change to the compacted peer_state topic (exactly once) and serves it over HTTP',
  schema: peerStateSchema as unknown as convict.Schema<PeerStateConfig>,
  gracePeriodMs: (c) => c.peerState.gracePeriodMs,
  async start(config, logger) {
    const running = await startPeerState(config, logger);
    return () => running.stop();
  },
});
