/**
 * `npm run schemas:catalogue`: writes schemas/README.md, the catalogue of the published topics
 * (name, key, value format, every field with its type and doc), generated from the .avsc files and
 * services/kafka/avro/topics.ts. `-- --check` only compares and exits 1 when the file is stale; a
 * unit test does the same comparison, so a schema change without a regenerated catalogue fails.
 *
 * Usage: node --import tsx scripts/schemas-catalogue.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topicsSchema } from '../services/runtime/config.js';
import { type AvroTopic, SCHEMAS_DIR, schemaFor, topicSchema } from '../services/kafka/avro/schemas.js';
import { newestReleased } from '../services/kafka/avro/compatibility.js';
import { KEY_DOCS, PUBLISHED_TOPICS, type KeyKind, type PublishedTopic } from '../services/kafka/avro/topics.js';

export const CATALOGUE_PATH = join(SCHEMAS_DIR, 'README.md');

const PREFIX = topicsSchema.topics.prefix.default;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface NamedDef {
  name: string;
  schema: JsonObject;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Text of an Avro type for a table cell, e.g. `[null, long (timestamp-micros)]`, `array<Tlv>`. */
function typeText(t: Json): string {
  if (typeof t === 'string') return PRIMITIVES.has(t) ? t : shortName(t);
  if (Array.isArray(t)) return `[${t.map(typeText).join(', ')}]`;
  if (t === null || typeof t !== 'object') return String(t);
  const logical = typeof t.logicalType === 'string' ? ` (${t.logicalType})` : '';
  switch (t.type) {
    case 'array':
      return `array<${typeText(t.items)}>`;
    case 'map':
      return `map<${typeText(t.values)}>`;
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed':
      return `${shortName(String(t.name))}${logical}`;
    default:
      return `${typeText(t.type)}${logical}`;
  }
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Named types defined inline in `t`, depth first, in order of definition. */
function collectNamed(t: Json, out: NamedDef[]): void {
  if (Array.isArray(t)) {
    for (const b of t) collectNamed(b, out);
    return;
  }
  if (t === null || typeof t !== 'object') return;
  if (t.type === 'record' || t.type === 'error' || t.type === 'enum' || t.type === 'fixed') {
    out.push({ name: shortName(String(t.name)), schema: t });
    if (Array.isArray(t.fields)) for (const f of t.fields) collectNamed((f as JsonObject).type, out);
    return;
  }
  if (t.type === 'array') collectNamed(t.items, out);
  else if (t.type === 'map') collectNamed(t.values, out);
}

/** Prose for a table cell or paragraph: one line, `|` escaped, `<` `>` `&` as entities (so "<type>" is not taken for HTML). */
function cell(text: string): string {
  return code(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** Text inside a code span of a table cell: one line, `|` escaped (GFM splits cells before code spans). */
function code(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function fieldsTable(record: JsonObject): string[] {
  const lines = ['| field | type | doc |', '| --- | --- | --- |'];
  for (const f of record.fields as JsonObject[]) {
    const def = 'default' in f ? ` = ${JSON.stringify(f.default)}` : '';
    lines.push(`| \`${String(f.name)}\` | \`${code(typeText(f.type))}${code(def)}\` | ${cell(String(f.doc ?? ''))} |`);
  }
  return lines;
}

function keyName(kind: KeyKind): string {
  return kind === 'peer' ? 'peer key' : kind === 'state' ? 'state key' : 'router key';
}

function released(topic: AvroTopic): string {
  const r = newestReleased(topic);
  return r === null ? 'none yet' : `v${r.version} (\`released/${topic}.v${r.version}.avsc\`)`;
}

function avroSection(t: PublishedTopic & { name: AvroTopic }): string[] {
  const schema = schemaFor(t.name) as unknown as JsonObject;
  const fullName = topicSchema(t.name).type.name ?? String(schema.name);
  const out = [
    `## ${PREFIX}${t.name}`,
    '',
    cell(String(schema.doc)),
    '',
    `- Value: Avro record \`${fullName}\`, schema [\`${t.name}.avsc\`](${t.name}.avsc), registered under subject \`${PREFIX}${t.name}-value\`; newest released version: ${released(t.name)}.`,
    `- Key: ${keyName(t.key)}, \`${KEY_DOCS[t.key].format}\`.`,
    '',
    ...fieldsTable(schema),
  ];
  const named: NamedDef[] = [];
  for (const f of schema.fields as JsonObject[]) collectNamed(f.type, named);
  for (const n of named) {
    const s = n.schema;
    out.push('', `### ${PREFIX}${t.name}: ${n.name} (${String(s.type)})`, '', cell(String(s.doc ?? '')), '');
    if (s.type === 'enum') {
      const symbols = (s.symbols as string[]).map((x) => `\`${x}\``).join(', ');
      out.push(`Symbols: ${symbols}; default \`${String(s.default)}\`.`);
    } else if (s.type === 'record' || s.type === 'error') {
      out.push(...fieldsTable(s));
    }
  }
  return out;
}

/** The `raw` topic: OpenBMP v1.7 binary framing, documented by hand (no Avro schema). */
function rawSection(t: PublishedTopic): string[] {
  const rows: Array<[string, string, string, string]> = [
    ['0', '4', 'magic', '"OBMP" (0x4F424D50)'],
    ['4', '1', 'major version', '1'],
    ['5', '1', 'minor version', '7'],
    ['6', '2', 'header length', 'octets of this header, from the magic to the row count inclusive (78 + N + M)'],
    ['8', '4', 'message length', 'octets of the BMP message that follows the header'],
    ['12', '1', 'flags', '0x80: router message (always set here); 0x40: the router address is IPv6 (clear: IPv4)'],
    ['13', '1', 'object type', '12 (BMP_RAW)'],
    ['14', '4', 'collection time, seconds', 'when the collector received the message: seconds since the Unix epoch'],
    ['18', '4', 'collection time, microseconds', 'microseconds within that second'],
    ['22', '16', 'collector hash', '16-octet identifier of the collector (OpenBMP uses an MD5 digest; treat as opaque)'],
    ['38', '2', 'collector admin id length', 'N'],
    ['40', 'N', 'collector admin id', 'the collector id, UTF-8 (the collector_id of the router topic)'],
    ['40+N', '16', 'router hash', '16-octet identifier of the router (OpenBMP uses an MD5 digest; treat as opaque)'],
    ['56+N', '16', 'router address', 'IPv6: the 16 octets; IPv4: the 4 octets first, then 12 zero octets'],
    ['72+N', '2', 'router group length', 'M'],
    ['74+N', 'M', 'router group', 'router group name, UTF-8 (may be empty)'],
    ['74+N+M', '4', 'row count', '1'],
  ];
  return [
    `## ${PREFIX}${t.name}`,
    '',
    'Every BMP message exactly as the router sent it (common header included, RFC 7854 §4.1), one Kafka record per message, for consumers that decode BMP themselves (OpenBMP-compatible tools) and for replay. ' +
      'The value is **not Avro** and has no registered schema: it is the OpenBMP message bus binary framing, version 1.7: an OpenBMP binary header, then the BMP message. ' +
      'Integers are unsigned and big-endian; offsets are in octets from the start of the value.',
    '',
    `- Value: OpenBMP v1.7 binary header + BMP message; no schema, no Confluent wire-format header.`,
    `- Key: ${keyName(t.key)}, \`${KEY_DOCS[t.key].format}\`.`,
    '',
    '| offset | octets | field | value |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    'The BMP message follows at offset "header length"; its length is "message length", which equals the Message Length of its BMP common header.',
  ];
}

/** The whole catalogue, as schemas/README.md holds it. */
export function renderCatalogue(): string {
  const lines: string[] = [
    '# Topics and schemas',
    '',
    '<!-- Generated by `npm run schemas:catalogue` from the .avsc files and services/kafka/avro/topics.ts: do not edit by hand. -->',
    '',
    'What the pipeline publishes: one Kafka topic per BMP message type (RFC 7854 §4, RFC 9069, and the ROFT message of Huawei routers), plus the collector\'s own topics (router) and those of the consumer services (route_changes, prefix_flaps: the route-change aggregator, services/route-changes). ' +
      `Topic names are the logical name with a configurable prefix (\`topics.prefix\`, \`BMP_TOPIC_PREFIX\`), \`${PREFIX}\` by default, as used below.`,
    '',
    '- Avro values are in the Confluent wire format: octet 0 is 0, octets 1-4 the schema id (big-endian), then the Avro binary record. ' +
      'The value schema of topic T is registered under subject `T-value` (TopicNameStrategy) with BACKWARD compatibility.',
    '- `<topic>.avsc` in this folder is the current schema of each Avro topic; `released/<topic>.v<N>.avsc` are the released versions, never edited.',
    '- Values that can be absent are `[null, T]` unions with default `null`; times are `long` values with logical type `timestamp-micros` (microseconds since the Unix epoch, UTC); ' +
      'AS numbers, counters and offsets are `long`; raw octets are `bytes`; every enum has a default symbol, `unknown`, that readers of an older schema get for a symbol added later.',
    '- Keys are UTF-8 text, not Avro (see [Keys](#keys)).',
    '',
    '## Topics',
    '',
    '| topic | value | key | newest released |',
    '| --- | --- | --- | --- |',
  ];
  for (const t of PUBLISHED_TOPICS) {
    if (t.value === 'avro') {
      const name = t.name as AvroTopic;
      const r = newestReleased(name);
      lines.push(
        `| \`${PREFIX}${t.name}\` | Avro \`${shortName(topicSchema(name).type.name ?? '')}\` ([${t.name}.avsc](${t.name}.avsc)) | ${keyName(t.key)} | ${r === null ? '-' : `v${r.version}`} |`,
      );
    } else {
      lines.push(`| \`${PREFIX}${t.name}\` | OpenBMP v1.7 binary header + BMP message | ${keyName(t.key)} | - |`);
    }
  }
  lines.push('', '## Keys', '', '| key | format | example | meaning |', '| --- | --- | --- | --- |');
  for (const kind of ['router', 'peer', 'state'] as const) {
    const k = KEY_DOCS[kind];
    lines.push(`| ${keyName(kind)} | \`${code(k.format)}\` | \`${code(k.example)}\` | ${cell(k.doc)} |`);
  }
  lines.push(
    '',
    '## Changing a schema',
    '',
    '- Every change must keep each schema BACKWARD compatible with its newest released version: a reader with the new schema reads data written with the old one. ' +
      '`test/unit/schemas/compatibility.test.ts` checks it with avsc\'s schema resolution plus the rule that every field added since the released version has a default.',
    '- Allowed: adding a field with a default (`null` for a `[null, T]` field), removing a field, adding an enum symbol, widening `int` to `long`, documenting. ' +
      'Not allowed: changing a field\'s type otherwise, adding a field without a default, renaming a field or record without an alias, removing an enum symbol.',
    '- Field names are the event model\'s (services/events/model.ts), in the same order; a unit test compares them.',
    '- Releasing: copy `<topic>.avsc` to `released/<topic>.v<N+1>.avsc` together with the change that deploys it, and regenerate this file (`npm run schemas:catalogue`).',
  );
  for (const t of PUBLISHED_TOPICS) {
    lines.push('');
    if (t.value === 'avro') lines.push(...avroSection(t as PublishedTopic & { name: AvroTopic }));
    else lines.push(...rawSection(t));
  }
  return `${lines.join('\n')}\n`;
}

function main(args: string[]): number {
  const text = renderCatalogue();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CATALOGUE_PATH, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${CATALOGUE_PATH} is out of date: run npm run schemas:catalogue`);
      return 1;
    }
    console.error(`${CATALOGUE_PATH} is up to date`);
    return 0;
  }
  writeFileSync(CATALOGUE_PATH, text);
  console.error(`wrote ${CATALOGUE_PATH}`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
