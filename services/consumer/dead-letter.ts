/**
 * Dead letters of a stream processor: a consumed record that cannot be decoded (or that the
 * processor refuses) is copied, bytes untouched, to the dead-letter topic with where it came from
 * and why, in the same transaction as the rest of its batch, and processing carries on.
 *
 * The value and key are the original ones, so a fixed consumer can re-read them as they were; the
 * origin and reason travel in headers (the convention of Kafka Connect's dead-letter queues).
 */
import type { IHeaders } from 'kafkajs';

export const DEAD_LETTER_HEADERS = {
  topic: 'bmp.dlq.topic',
  partition: 'bmp.dlq.partition',
  offset: 'bmp.dlq.offset',
  reason: 'bmp.dlq.reason',
  consumerGroup: 'bmp.dlq.group',
} as const;

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  /** Original record timestamp (ms since the epoch, as text). */
  timestamp: string;
}

/** Kafka message of a dead letter. */
export function deadLetterMessage(letter: DeadLetter, consumerGroup: string): { key: Buffer | null; value: Buffer | null; headers: IHeaders; timestamp: string } {
  return {
    key: letter.key,
    value: letter.value,
    timestamp: letter.timestamp,
    headers: {
      [DEAD_LETTER_HEADERS.topic]: letter.topic,
      [DEAD_LETTER_HEADERS.partition]: String(letter.partition),
      [DEAD_LETTER_HEADERS.offset]: letter.offset,
      [DEAD_LETTER_HEADERS.reason]: letter.reason,
      [DEAD_LETTER_HEADERS.consumerGroup]: consumerGroup,
    },
  };
}

/** The origin and reason of a dead-letter message, from its headers (for tools and tests). */
export function readDeadLetterHeaders(headers: IHeaders | undefined): { topic: string; partition: number; offset: string; reason: string; group: string } | null {
  const text = (name: string): string | null => {
    const v = headers?.[name];
    if (v === undefined) return null;
    return Array.isArray(v) ? String(v[0]) : String(v);
  };
  const topic = text(DEAD_LETTER_HEADERS.topic);
  const partition = text(DEAD_LETTER_HEADERS.partition);
  const offset = text(DEAD_LETTER_HEADERS.offset);
  const reason = text(DEAD_LETTER_HEADERS.reason);
  if (topic === null || partition === null || offset === null || reason === null) return null;
  return { topic, partition: Number(partition), offset, reason, group: text(DEAD_LETTER_HEADERS.consumerGroup) ?? '' };
}
