/**
 * Topic creation: the services create the topics they write when missing, with the configured
 * partitions, replication and retention (never a broker's short default), and never change an
 * existing topic.
 */
import type { Admin } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** retention.ms; -1 keeps forever. Ignored for compacted topics. */
  retentionMs: number;
  /** Log compaction (latest value per key), for state topics such as peer_state. */
  compacted?: boolean;
}

/** Creates the topics of `specs` that do not exist yet; returns the names it created. */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({
      topic: s.name,
      numPartitions: s.partitions,
      replicationFactor: s.replicationFactor,
      configEntries: s.compacted
        ? [{ name: 'cleanup.policy', value: 'compact' }]
        : [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: String(s.retentionMs) },
          ],
    })),
  });
  return missing.map((s) => s.name);
}
