/**
 * kafkajs's default partitioner (murmur2 of the key, Java client compatible) with a cache of the
 * partition of each key. Ingest keys every record of a peer with the same key, so the hash is
 * computed once per peer instead of once per record (murmur2 over a fresh Buffer of the key was
 * ~6 % of the service's CPU). The cache is per topic and forgotten when the topic's partition
 * count changes. String keys are cached by value, bounded so that a collector seeing many peers
 * does not grow without limit; Buffer keys (a session's key octets, made once: KeyOctets) by
 * identity, weakly: a key's octets must not change once it has been sent. The last key's
 * partition answers first: a batch's records come in runs of one peer's key.
 */
import { Partitioners, type ICustomPartitioner } from 'kafkajs';

const MAX_CACHED_KEYS_PER_TOPIC = 100_000;

export const CachedDefaultPartitioner: ICustomPartitioner = () => {
  const compute = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number>; octets: WeakMap<Buffer, number> }>();
  let lastTopic = '';
  let lastKey: string | Buffer | null = null;
  let lastPartitions = -1;
  let lastPartition = -1;
  return (args) => {
    const { message, topic, partitionMetadata } = args;
    const key = message.key;
    if (key === null || key === undefined || (message.partition !== undefined && message.partition !== null)) return compute(args);
    if (key === lastKey && topic === lastTopic && partitionMetadata.length === lastPartitions) return lastPartition;
    const partition = lookUp(args, key, topic, partitionMetadata.length);
    lastTopic = topic;
    lastKey = key;
    lastPartitions = partitionMetadata.length;
    lastPartition = partition;
    return partition;
  };

  function lookUp(args: Parameters<ReturnType<ICustomPartitioner>>[0], key: string | Buffer, topic: string, partitions: number): number {
    let cache = byTopic.get(topic);
    if (cache === undefined || cache.partitions !== partitions) {
      cache = { partitions, keys: new Map(), octets: new WeakMap() };
      byTopic.set(topic, cache);
    }
    if (typeof key !== 'string') {
      let partition = cache.octets.get(key);
      if (partition === undefined) cache.octets.set(key, (partition = compute(args)));
      return partition;
    }
    let partition = cache.keys.get(key);
    if (partition === undefined) {
      partition = compute(args);
      if (cache.keys.size >= MAX_CACHED_KEYS_PER_TOPIC) cache.keys.clear();
      cache.keys.set(key, partition);
    }
    return partition;
  }
};
