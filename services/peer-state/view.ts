/**
 * What the HTTP API answers from: the latest state of every router and peer, read from the
 * compacted peer_state topic (committed records only), whichever instance's task wrote them. So
 * every instance answers for all routers, and answers only what is committed.
 *
 * The consumer uses a throwaway group (every instance reads every partition) and never commits.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Consumer, Kafka } from 'kafkajs';
import type { PeerStateChangeRecord } from '../kafka/avro/index.js';
import { stateKey } from '../kafka/avro/index.js';
import type { Logger } from '../runtime/logging.js';
import { UndecodableRecordError, type RecordDecoder } from '../consumer/decoder.js';

export class StateView extends EventEmitter<{ change: [PeerStateChangeRecord] }> {
  readonly routers = new Map<string, PeerStateChangeRecord>();
  readonly peers = new Map<string, PeerStateChangeRecord>();
  /** Records applied so far (changes with every record, for clients that poll). */
  version = 0;

  apply(record: PeerStateChangeRecord): void {
    const plain = JSON.parse(JSON.stringify(record)) as PeerStateChangeRecord;
    if (plain.entity === 'router') this.routers.set(plain.router_address, plain);
    else if (plain.entity === 'peer') this.peers.set(stateKey(plain), plain);
    else return;
    this.version++;
    this.emit('change', plain);
  }
}

export interface RunningView {
  view: StateView;
  /** True once the records present at start have been read. */
  caughtUp(): boolean;
  stop(): Promise<void>;
}

/** Follows `topic` from its beginning into a StateView. */
export async function startStateView(options: { kafka: Kafka; topic: string; groupPrefix: string; decoder: RecordDecoder; logger: Logger }): Promise<RunningView> {
  const view = new StateView();
  const admin = options.kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(options.topic)) if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
  } finally {
    await admin.disconnect();
  }
  const consumer: Consumer = options.kafka.consumer({
    groupId: `${options.groupPrefix}.view.${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const end = ends.get(e.payload.partition);
    if (end !== undefined && e.payload.lastOffset !== null && BigInt(e.payload.lastOffset) + 1n >= end) ends.delete(e.payload.partition);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message, partition }) => {
      try {
        view.apply(await options.decoder.decode('peer_state', message.value));
      } catch (err) {
        // Undecodable: skip it; anything else (registry down): throw, kafkajs retries the record.
        if (!(err instanceof UndecodableRecordError)) throw err;
        options.logger.warn({ err, partition, offset: message.offset }, 'undecodable peer_state record skipped by the HTTP view');
      }
    },
  });
  return {
    view,
    caughtUp: () => ends.size === 0,
    stop: () => consumer.disconnect(),
  };
}
