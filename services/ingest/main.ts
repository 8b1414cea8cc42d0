/**
 * Entry point of the ingest service: config -> wiring -> start/stop.
 */
import type convict from 'convict';
import { runService } from '../runtime/service.js';
import { ingestSchema, type IngestConfig } from './config.js';
import { startIngest } from './service.js';

await runService<IngestConfig>({
  name: 'ingest',
  description: 'Accepts BMP sessions from routers and publishes their messages as Avro events to Kafka',
  schema: ingestSchema as unknown as convict.Schema<IngestConfig>,
  gracePeriodMs: (c) => c.ingest.gracePeriodMs,
  async start(config, logger) {
    const running = await startIngest(config, logger);
    return () => running.stop();
  },
});
