/**
 * UTF-8 text into a buffer, for the hand-written Avro writers (a string is its UTF-8 octets after
 * a length: Avro 1.11 specification, "Binary Encoding").
 *
 * The strings they write are short and nearly always ASCII: prefixes, addresses, community
 * values. For those, a loop over the UTF-16 code units costs about half of Buffer#write, whose
 * native call (and the string's flattening there) dominates for a few dozen octets.
 */

/** Longest text copied unit by unit; longer text goes to Buffer#write. */
const SHORT_TEXT = 64;

/**
 * Writes `text` as UTF-8 at `buf[at]`; returns the octets written. The caller has made room for
 * `text.length * 3` octets (the most UTF-8 needs per UTF-16 unit).
 */
export function writeUtf8(buf: Buffer, text: string, at: number): number {
  const n = text.length;
  if (n <= SHORT_TEXT) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === n) return n;
    // Not ASCII: what was copied is overwritten with the same octets.
  }
  return buf.write(text, at, 'utf8');
}
