/**
 * The Avro `long` of the pipeline: values are JS numbers, as in the event model.
 *
 * avsc's own long refuses numbers beyond ±(2^53 - 2) (to never round silently). The event model
 * cannot promise that bound for the two values that come from 64-bit fields on the wire: 64-bit
 * Statistics Report gauges (RFC 7854 §4.8) and the AIGP metric (RFC 7311 §3), which the session
 * decoder turns into the nearest double (its documented precision loss). A router sending
 * 0xFFFFFFFFFFFFFFFF must not make a record unpublishable, so this long:
 *  - writes every integer-valued number from -2^52 up: exactly what the number holds (every
 *    such double below 2^63 is an integer an Avro long represents exactly); numbers of 2^63 and
 *    above, which no Avro long holds, saturate to 2^63 - 1024, the largest double below 2^63;
 *  - reads any Avro long, longs beyond 2^53 as the nearest double (never an error).
 * From -2^52 to 2^53 it behaves exactly like avsc's long, at the same speed: it reuses avsc's varint
 * reader and writer (whose float path is exact for integer-valued doubles) and only replaces the
 * range checks.
 *
 * It relies on avsc 5's internal Type methods `_check`, `_read` and `_write` (the documented
 * alternative, LongType.__with, allocates a Buffer per value); test/unit/schemas/long.test.ts
 * pins the behaviour so an avsc upgrade that changes them fails loudly.
 */
import avro from 'avsc';
import type { Type } from 'avsc';

/**
 * The most negative value accepted: -2^52, below which avsc's zigzag arithmetic (2|n| - 1 in a
 * double) starts rounding. The pipeline has no negative longs; positive values saturate instead.
 */
const MIN_LONG = -(2 ** 52);
/** The largest double below 2^63, hence the largest number an Avro long holds exactly. */
export const MAX_WIDE_LONG = 2 ** 63 - 1024;

interface Tap {
  readLong(): number;
  writeLong(n: number): void;
}

type ErrorHook = (value: unknown, type: Type) => void;

function acceptable(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_LONG;
}

const AvscLong = avro.types.LongType as unknown as new () => Type;

class WideLongType extends AvscLong {
  _check(value: unknown, _flags: number, hook?: ErrorHook): boolean {
    const ok = acceptable(value);
    if (!ok && hook) hook(value, this);
    return ok;
  }

  _read(tap: Tap): number {
    return tap.readLong();
  }

  _write(tap: Tap, value: unknown): void {
    if (!acceptable(value)) throw new Error(`invalid "long": ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    tap.writeLong(value > MAX_WIDE_LONG ? MAX_WIDE_LONG : value);
  }
}

/** The one instance (avsc types are immutable and shared). */
export const WIDE_LONG: Type = new WideLongType();

/** avsc `typeHook`: every `long` of a schema (logical types such as timestamp-micros included) is WIDE_LONG. */
export function wideLongHook(schema: unknown): Type | undefined {
  if (schema === 'long') return WIDE_LONG;
  if (schema !== null && typeof schema === 'object' && (schema as { type?: unknown }).type === 'long') return WIDE_LONG;
  return undefined;
}
