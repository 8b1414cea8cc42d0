/**
 * Avro values of the pipeline's topics: the schemas (schemas/<topic>.avsc), records in the
 * Confluent wire format, record keys, and the schema evolution check.
 */
export {
  AVRO_TOPICS,
  DERIVED_TOPICS,
  INGEST_TOPICS,
  RELEASED_DIR,
  SCHEMAS_DIR,
  SCHEMA_NAMESPACE,
  parseSchema,
  readSchemaFile,
  schemaFor,
  schemaPath,
  topicSchema,
  typeFor,
  type AvroSchema,
  type AvroTopic,
  type IngestTopic,
  type RecordOf,
  type TopicSchema,
} from './schemas.js';
export { MAX_WIDE_LONG, WIDE_LONG, wideLongHook } from './long.js';
export type {
  CollectorRecordByTopic,
  DerivedRecordByTopic,
  EndOfRibRecord,
  EventOrderRecord,
  InitialDump,
  PeerDownInfoRecord,
  PeerSessionRecord,
  PeerStateChangeRecord,
  PeerStateRecord,
  PeerStatus,
  RecordByTopic,
  RibViewStateRecord,
  RouterEventType,
  RouterRecord,
  RouterStateRecord,
  StatValueRecord,
} from './records.js';
export {
  InvalidRecordError,
  WIRE_HEADER_LENGTH,
  WIRE_MAGIC,
  decodeRecord,
  encodeRecord,
  readWireSchemaId,
  recordMismatches,
  type DecodeOptions,
  type DecodedRecord,
} from './wire.js';
export {
  KEY_DOCS,
  PUBLISHED_TOPICS,
  PeerKeyCache,
  isPeerKeyed,
  peerKey,
  recordKey,
  ribView,
  stateKey,
  type KeyKind,
  type PeerKeyedTopic,
  type PublishedTopic,
  type PublishedTopicName,
  type RibView,
  type ValueFormat,
} from './topics.js';
export { ROUTE_MONITORING_FIELD_ORDER, RouteMonitoringEncoder } from './route-monitoring-encoder.js';
export type { WireAttributes } from './attribute-writer.js';
export { addedFieldsWithoutDefault, backwardCompatibilityProblems, newestReleased, releasedVersions, type ReleasedVersion } from './compatibility.js';
