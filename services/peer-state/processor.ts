/**
 * The two stream stages of the peer-state service, as processors of the consumer runtime.
 *
 * 1. By router (`ByRouterProcessor`): the ingest topics are keyed by router or by peer and RIB
 *    view, so one router's events are spread over partitions; a session's end must reach all of
 *    its peers. This stage copies the records that matter (all of router, initiation,
 *    termination, peer_up, peer_down and stats; route_monitoring's End-of-RIB markers only), bytes
 *    untouched, to an internal topic keyed by router address, with the source topic in a header
 *    and the original timestamp. Undecodable records become dead letters here.
 * 2. State (`PeerStateProcessor`): task N owns partition N of that topic, hence a fixed set of
 *    routers, keeps their PeerStateStore, and publishes every change to peer_state, in the same
 *    partition N, so a task restores from its own partition of peer_state.
 */
import type { IHeaders } from 'kafkajs';
import { encodeRecord, stateKey, type AvroTopic, type PeerStateChangeRecord } from '../kafka/avro/index.js';
import { UndecodableRecordError, type RecordDecoder } from '../consumer/decoder.js';
import type { ConsumedRecord, OutputRecord, StreamProcessor, StreamTask } from '../consumer/runtime.js';
import { PeerStateStore, STATE_INPUT_TOPICS, isStateInput, type StateInput, type StateInputTopic } from './state.js';

/** Header of the internal topic's records naming their source topic (logical name). */
export const SOURCE_TOPIC_HEADER = 'bmp.source.topic';

function headerText(headers: IHeaders, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return (Array.isArray(v) ? v[0] : v)?.toString() ?? null;
}

interface ByRouterRecord {
  router: string;
  topic: StateInputTopic;
}

export class ByRouterProcessor implements StreamProcessor<ByRouterRecord> {
  private readonly stateless: StreamTask<ByRouterRecord>;

  constructor(
    private readonly decoder: RecordDecoder,
    /** Logical topic of a Kafka topic name (the prefix removed). */
    private readonly logical: (kafkaTopic: string) => StateInputTopic,
    outputTopic: string,
  ) {
    this.stateless = {
      process: (record, decoded): OutputRecord[] => [
        {
          topic: outputTopic,
          key: decoded.router,
          value: record.value,
          headers: { [SOURCE_TOPIC_HEADER]: decoded.topic },
          timestamp: record.timestamp,
        },
      ],
    };
  }

  async decode(record: ConsumedRecord): Promise<ByRouterRecord | null> {
    const topic = this.logical(record.topic);
    const value = (await this.decoder.decode(topic, record.value)) as { router_address: string; action?: unknown };
    if (!isStateInput(topic, value)) return null;
    return { router: value.router_address, topic };
  }

  async openTasks(tasks: number[]): Promise<Map<number, StreamTask<ByRouterRecord>>> {
    return new Map(tasks.map((t) => [t, this.stateless]));
  }

  closeTask(): void {}
}

/** Reads a task's partition of peer_state back (restore): calls `onRecord` for each, in order. */
export type StateRestorer = (tasks: number[], onRecord: (task: number, record: PeerStateChangeRecord) => void) => Promise<void>;

export class PeerStateProcessor implements StreamProcessor<StateInput> {
  /** The state of each open task. */
  readonly stores = new Map<number, PeerStateStore>();

  constructor(
    private readonly decoder: RecordDecoder,
    private readonly restore: StateRestorer,
    private readonly outputTopic: string,
    private readonly schemaId: number,
  ) {}

  async decode(record: ConsumedRecord): Promise<StateInput | null> {
    const topic = headerText(record.headers, SOURCE_TOPIC_HEADER);
    if (topic === null || !(STATE_INPUT_TOPICS as readonly string[]).includes(topic)) {
      throw new UndecodableRecordError(`header ${SOURCE_TOPIC_HEADER} missing or not an input topic: ${String(topic)}`);
    }
    const value = await this.decoder.decode(topic as AvroTopic, record.value);
    return { topic, record: value, at: record.timestamp * 1000 } as StateInput;
  }

  async openTasks(tasks: number[]): Promise<Map<number, StreamTask<StateInput>>> {
    const stores = new Map(tasks.map((t) => [t, new PeerStateStore()]));
    await this.restore(tasks, (task, record) => stores.get(task)?.load(record));
    const out = new Map<number, StreamTask<StateInput>>();
    for (const [task, store] of stores) {
      this.stores.set(task, store);
      out.set(task, {
        // Encoded before the store commits the changes: a record that does not encode (a bug)
        // leaves the state as it was and becomes a dead letter.
        process: (_record, input): OutputRecord[] =>
          store.apply(input, (changes) =>
            changes.map((change) => ({
              topic: this.outputTopic,
              partition: task,
              key: stateKey(change),
              value: encodeRecord('peer_state', this.schemaId, change),
              timestamp: Math.floor(change.updated_at / 1000),
            })),
          ),
      });
    }
    return out;
  }

  closeTask(task: number): void {
    this.stores.delete(task);
  }
}
