/**
 * `bmp decode --summary`'s `families` over every real capture of the shared test data: no error
 * on any message that tshark decodes cleanly, and no route left as raw NLRI bytes except in the
 * capture made to carry an unknown family.
 *
 * The only errors the captures give are the truncated-framing errors of a capture that ends inside
 * a message (STREAMS.tsv notes "trailing partial message"): that last message is not whole, so
 * neither tshark nor we decode it. Every other message must decode without an error event.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeStream, openInput, SummaryCollector, type DecodeSummary } from '../../../services/cli/decode.js';
import type { EventSink } from '../../../services/events/session-decoder.js';
import type { ErrorEvent } from '../../../services/events/model.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';

/** The capture that carries a family no decoder knows (AFI 57 SAFI 65): its route stays raw. */
const UNKNOWN_FAMILY_CAPTURE = 'akvorado-juniper-vmx-unknown-family.pcap';

async function summarize(file: string): Promise<{ summary: DecodeSummary; errors: ErrorEvent[] }> {
  const collector = new SummaryCollector();
  const errors: ErrorEvent[] = [];
  const sink: EventSink = (topic, event) => {
    if (topic === 'errors') errors.push(event as ErrorEvent);
    collector.sink(topic, event);
  };
  for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0')) {
    await decodeStream(input, sink, { onMessage: (bytes, outcome) => collector.message(bytes, outcome) });
  }
  return { summary: collector.result(), errors };
}

describe('bmp decode --summary families over every capture', { skip: !HAVE_TESTDATA && `shared test data not found in ${BMP_CAPTURE_DIR}` }, () => {
  const files = HAVE_TESTDATA ? readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f)) : [];

  test('the capture set is there', () => {
    assert.ok(files.length >= 25, `only ${files.length} captures`);
    assert.ok(files.includes(UNKNOWN_FAMILY_CAPTURE));
  });

  for (const file of files) {
    test(file, async () => {
      const { summary, errors } = await summarize(file);
      const unclean = errors.filter((e) => !(e.fatal === false && e.reason.startsWith('framing lost (truncated)')));
      assert.deepEqual(
        unclean.map((e) => e.reason),
        [],
        'errors on whole messages',
      );
      // families counts what prefixes counts, only split otherwise.
      const p = summary.prefixes;
      const total = Object.values(summary.families).reduce((a, b) => a + b, 0);
      assert.equal(total, p.ipv4_announce + p.ipv4_withdraw + p.ipv6_announce + p.ipv6_withdraw + p.other);
      for (const name of Object.keys(summary.families)) assert.match(name, /^[a-z0-9_]+$/, 'snake_case family names');
      if (file === UNKNOWN_FAMILY_CAPTURE) assert.ok((summary.families.raw ?? 0) > 0, 'the unknown family stays raw');
      else assert.equal(summary.families.raw ?? 0, 0, `raw routes: ${JSON.stringify(summary.families)}`);
    });
  }
});
