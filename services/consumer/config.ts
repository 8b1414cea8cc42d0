/**
 * The convict section every stream-processing service shares: its consumer group, the prefix of
 * its transactional ids, the dead-letter topic, and the transaction bounds.
 */
export function consumerSchema(defaultGroup: string, envPrefix: string) {
  return {
    consumer: {
      groupId: {
        doc: 'Consumer group of the service; every instance of one deployment uses the same (they share the work)',
        format: String,
        default: defaultGroup,
        env: `${envPrefix}_GROUP_ID`,
      },
      transactionalIdPrefix: {
        doc: 'Prefix of the Kafka transactional ids (one per task: <prefix>-<stream>-<task>); unique per deployment, the same for all its instances',
        format: String,
        default: defaultGroup,
        env: `${envPrefix}_TRANSACTIONAL_ID_PREFIX`,
      },
      deadLetterTopic: {
        doc: 'Logical name of the dead-letter topic (the topic prefix is added): undecodable records go there with their origin and the reason',
        format: String,
        default: `${defaultGroup}.dead_letter`,
        env: `${envPrefix}_DEAD_LETTER_TOPIC`,
      },
      maxRecordsPerTransaction: {
        doc: 'Most records consumed in one transaction',
        format: 'positive-int',
        default: 2000,
        env: `${envPrefix}_MAX_RECORDS_PER_TRANSACTION`,
      },
      sessionTimeoutMs: {
        doc: 'Consumer group session timeout (ms): how long a silent instance keeps its tasks',
        format: 'positive-int',
        default: 30_000,
        env: `${envPrefix}_SESSION_TIMEOUT_MS`,
      },
      transactionTimeoutMs: {
        doc: 'Transaction timeout (ms): the broker aborts a transaction left open longer (a crashed instance)',
        format: 'positive-int',
        default: 60_000,
        env: `${envPrefix}_TRANSACTION_TIMEOUT_MS`,
      },
    },
  };
}

export interface ConsumerSettings {
  groupId: string;
  transactionalIdPrefix: string;
  deadLetterTopic: string;
  maxRecordsPerTransaction: number;
  sessionTimeoutMs: number;
  transactionTimeoutMs: number;
}
