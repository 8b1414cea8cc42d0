/**
 * schemas/README.md, the topic catalogue, is generated (`npm run schemas:catalogue`) and must be
 * up to date with the .avsc files: it is regenerated in memory and compared. Also checks what the
 * catalogue must say: every topic with its prefix and key, every field, the raw topic's framing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATALOGUE_PATH, renderCatalogue } from '../../../scripts/schemas-catalogue.js';
import { AVRO_TOPICS, PUBLISHED_TOPICS, schemaFor } from '../../../services/kafka/avro/index.js';

const catalogue = renderCatalogue();

test('schemas/README.md is up to date (run npm run schemas:catalogue)', () => {
  const current = readFileSync(CATALOGUE_PATH, 'utf8');
  if (current === catalogue) return;
  const have = current.split('\n');
  const want = catalogue.split('\n');
  let i = 0;
  while (i < want.length && have[i] === want[i]) i++;
  assert.fail(
    `schemas/README.md is stale: run npm run schemas:catalogue. First difference at line ${i + 1}:\n` +
      `  file:      ${have[i] ?? '(end of file)'}\n  generated: ${want[i] ?? '(end)'}`,
  );
});

test('the catalogue lists every topic with the default prefix, its key and a section', () => {
  for (const t of PUBLISHED_TOPICS) {
    assert.match(catalogue, new RegExp(`^\\| \`bmp\\.${t.name}\` \\|.*\\| ${t.key} key \\|`, 'm'), t.name);
    assert.match(catalogue, new RegExp(`^## bmp\\.${t.name}$`, 'm'), t.name);
  }
  assert.equal(PUBLISHED_TOPICS.length, AVRO_TOPICS.length + 1, 'the Avro topics plus raw');
});

test('the catalogue has a row for every field of every schema', () => {
  for (const topic of AVRO_TOPICS) {
    const section = catalogue.slice(catalogue.indexOf(`## bmp.${topic}\n`));
    for (const f of (schemaFor(topic) as unknown as { fields: Array<{ name: string }> }).fields) {
      assert.ok(section.includes(`| \`${f.name}\` |`), `${topic}.${f.name}`);
    }
  }
});

test('the raw topic is documented as OpenBMP v1.7 binary framing, not Avro', () => {
  const raw = catalogue.slice(catalogue.indexOf('## bmp.raw\n'));
  assert.match(raw, /not Avro/);
  assert.match(raw, /OpenBMP/);
  assert.match(raw, /0x4F424D50/);
  assert.match(raw, /\| 5 \| 1 \| minor version \| 7 \|/);
  assert.match(raw, /\| 74\+N\+M \| 4 \| row count \| 1 \|/);
});
