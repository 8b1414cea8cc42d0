/**
 * The exactly-once stream runtime for consumer services (peer-state, route-changes). A service
 * provides a StreamProcessor (decode, open tasks with restored state, process one record into
 * output records) and gets consumption, transactions, dead letters and rebalancing from
 * StreamRuntime; see runtime.ts for the guarantees and how they are kept.
 */
export { assignTasks, coPartitionedAssigner } from './assigner.js';
export { consumerSchema, type ConsumerSettings } from './config.js';
export { DEAD_LETTER_HEADERS, deadLetterMessage, readDeadLetterHeaders, type DeadLetter } from './dead-letter.js';
export { RecordDecoder, UndecodableRecordError, type SchemaSource } from './decoder.js';
export { readToEnd, type RestoreOptions } from './restore.js';
export {
  StreamMetrics,
  StreamRuntime,
  type ConsumedRecord,
  type OutputRecord,
  type StreamProcessor,
  type StreamRuntimeOptions,
  type StreamTask,
} from './runtime.js';
