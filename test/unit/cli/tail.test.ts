/**
 * `bmp tail`'s pure parts: address and prefix filters, JSON and table output, the summary line,
 * settings resolution (env / config file / flags), and decoding with the writer schema.
 * The Kafka side is in test/integration/tail.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkTailTopic,
  cidrCovers,
  compileFilter,
  fit,
  formatMicros,
  formatRecord,
  hasPrefixField,
  jsonLine,
  parseCidr,
  parsePrefixMatch,
  prefixMatches,
  resolveTailSettings,
  sameAddress,
  summaryLine,
  tableHeader,
  tableRow,
  TailUsageError,
  WriterSchemaDecoder,
  type Cidr,
  type RecordMeta,
  asPathText,
} from '../../../services/cli/tail.js';
import { encodeRecord, schemaFor } from '../../../services/kafka/avro/index.js';
import type { StatsEvent } from '../../../services/events/model.js';

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  assert.ok(c, `${text} parses`);
  return c;
}

describe('address and prefix filters', () => {
  test('sameAddress compares addresses, whatever their spelling', () => {
    assert.ok(sameAddress('2001:DB8::1', '2001:db8:0:0::1'));
    assert.ok(sameAddress('192.0.2.1', '192.0.2.1'));
    assert.ok(!sameAddress('192.0.2.1', '192.0.2.10'));
    assert.ok(!sameAddress('192.0.2.1', '::ffff:192.0.2.1'), 'different families');
    assert.ok(sameAddress('not-an-address', 'not-an-address'), 'other text: equality');
  });

  test('parseCidr: IPv4 and IPv6 prefixes; bad lengths and non-addresses are not prefixes', () => {
    assert.deepEqual(cidr('10.0.0.0/8'), { bytes: Buffer.from([10, 0, 0, 0]), length: 8 });
    assert.equal(cidr('2001:db8::/32').bytes.length, 16);
    assert.equal(cidr('0.0.0.0/0').length, 0);
    assert.equal(parseCidr('10.0.0.0/33'), null);
    assert.equal(parseCidr('2001:db8::/129'), null);
    assert.equal(parseCidr('10.0.0.0'), null);
    assert.equal(parseCidr('foo/8'), null);
    assert.equal(parseCidr('10.0.0.0/'), null);
  });

  test('cidrCovers: same family, at least as long, same leading bits (also off octet boundaries)', () => {
    assert.ok(cidrCovers(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')));
    assert.ok(cidrCovers(cidr('10.0.0.0/8'), cidr('10.0.0.0/8')), 'a prefix covers itself');
    assert.ok(!cidrCovers(cidr('10.0.0.0/8'), cidr('11.0.0.0/16')));
    assert.ok(!cidrCovers(cidr('10.0.0.0/8'), cidr('10.0.0.0/7')), 'a shorter prefix is not inside');
    assert.ok(cidrCovers(cidr('198.51.100.0/25'), cidr('198.51.100.64/26')));
    assert.ok(!cidrCovers(cidr('198.51.100.0/25'), cidr('198.51.100.128/26')));
    assert.ok(cidrCovers(cidr('192.0.2.4/30'), cidr('192.0.2.6/31')));
    assert.ok(!cidrCovers(cidr('192.0.2.4/31'), cidr('192.0.2.6/31')));
    assert.ok(cidrCovers(cidr('0.0.0.0/0'), cidr('203.0.113.7/32')));
    assert.ok(cidrCovers(cidr('2001:db8::/32'), cidr('2001:db8:1::/48')));
    assert.ok(!cidrCovers(cidr('2001:db8::/32'), cidr('2001:db9::/48')));
    assert.ok(cidrCovers(cidr('2001:db8::/127'), cidr('2001:db8::1/128')));
    assert.ok(!cidrCovers(cidr('::/0'), cidr('10.0.0.0/8')), 'families differ');
  });

  test('parsePrefixMatch: CIDR, bare address as host route, other text; bad lengths refused', () => {
    assert.equal(parsePrefixMatch('10.0.0.0/8').kind, 'cidr');
    const host = parsePrefixMatch('192.0.2.1');
    assert.deepEqual(host, { kind: 'cidr', cidr: { bytes: Buffer.from([192, 0, 2, 1]), length: 32 } });
    assert.deepEqual(parsePrefixMatch('evpn:2:1.1.1.1'), { kind: 'text', text: 'evpn:2:1.1.1.1' });
    assert.throws(() => parsePrefixMatch('10.0.0.0/33'), TailUsageError);
    assert.throws(() => parsePrefixMatch('2001:db8::/200'), /bad prefix length/);
  });

  test('prefixMatches: containment for a CIDR, equality for text, never for a record without prefix', () => {
    const net = parsePrefixMatch('198.51.100.0/24');
    assert.ok(prefixMatches(net, '198.51.100.128/25'));
    assert.ok(prefixMatches(net, '198.51.100.0/24'));
    assert.ok(!prefixMatches(net, '198.51.0.0/16'));
    assert.ok(!prefixMatches(net, null), 'End-of-RIB has no prefix');
    assert.ok(!prefixMatches(net, '2001:db8::/32'));
    assert.ok(prefixMatches(parsePrefixMatch('192.0.2.1'), '192.0.2.1/32'));
    assert.ok(!prefixMatches(parsePrefixMatch('192.0.2.1'), '192.0.2.0/24'), 'a host route covers only itself');
    assert.ok(prefixMatches(parsePrefixMatch('some text'), 'some text'));
    assert.ok(!prefixMatches(parsePrefixMatch('some text'), 'some other text'));
  });

  test('compileFilter: every given filter must match; none given keeps everything', () => {
    const route = { router_address: '203.0.113.0', peer_address: '2001:db8::7', prefix: '198.51.100.0/25' };
    const router = { router_address: '203.0.113.0', event: 'connected' };
    assert.ok(compileFilter({})(route));
    assert.ok(compileFilter({})(router));
    assert.ok(compileFilter({ router: '203.0.113.0' })(router));
    assert.ok(!compileFilter({ router: '203.0.113.1' })(route));
    assert.ok(compileFilter({ peer: '2001:DB8:0::7' })(route));
    assert.ok(!compileFilter({ peer: '2001:db8::7' })(router), 'no peer_address: filtered out');
    assert.ok(compileFilter({ router: '203.0.113.0', peer: '2001:db8::7', prefixMatch: '198.51.100.0/24' })(route));
    assert.ok(!compileFilter({ router: '203.0.113.0', peer: '2001:db8::7', prefixMatch: '198.51.100.128/25' })(route));
    assert.throws(() => compileFilter({ prefixMatch: '10.0.0.0/40' }), TailUsageError);
  });

  test('topics: the Avro topics only; --prefix-match needs a prefix field', () => {
    assert.equal(checkTailTopic('route_monitoring'), 'route_monitoring');
    assert.throws(() => checkTailTopic('raw'), /OpenBMP binary/);
    assert.throws(() => checkTailTopic('bmp.route_monitoring'), /expected one of: initiation, .*router/);
    assert.ok(hasPrefixField('route_monitoring'));
    assert.ok(hasPrefixField('roft'));
    assert.ok(!hasPrefixField('peer_up'));
  });
});

describe('output', () => {
  const meta: RecordMeta = { topic: 'route_monitoring', partition: 2, offset: '41', key: '203.0.113.0|0|0:0|192.0.2.1|adj_rib_in_pre', timestamp: '1700000000000' };
  const route = {
    router_address: '203.0.113.0',
    sequence: 9,
    peer_address: '192.0.2.1',
    peer_as: 65011,
    bmp_timestamp: 1_662_743_912_000_000,
    action: 'announce',
    family: 'ipv4_unicast',
    prefix: '198.51.100.128/25',
    rd: null,
    raw_nlri: null,
    next_hop: '192.0.2.1',
    as_path: [65011, 65011, 174, 29447, 396919].map((asn) => ({ asn, segment: 'sequence' })),
  };

  test('jsonLine: topic, partition, offset, key first, then the fields; bytes as hex, nested too', () => {
    const line = jsonLine(meta, { ...route, raw_nlri: Buffer.from([0x18, 0xc6, 0x33]), tlvs: [{ type: 1, value: Buffer.from('ab') }] });
    assert.ok(!line.includes('\n'));
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed).slice(0, 6), ['topic', 'partition', 'offset', 'key', 'router_address', 'sequence']);
    assert.equal(parsed.topic, 'route_monitoring');
    assert.equal(parsed.partition, 2);
    assert.equal(parsed.offset, 41);
    assert.equal(parsed.key, meta.key);
    assert.equal(parsed.raw_nlri, '18c633');
    assert.deepEqual(parsed.tlvs, [{ type: 1, value: '6162' }]);
    assert.equal(JSON.parse(jsonLine({ ...meta, key: null }, route)).key, null);
    assert.match(jsonLine(meta, { value: 2 ** 60 }), /"value":1152921504606847000/, 'a wide long prints as the number it is');
  });

  test('fit pads or cuts with an ellipsis', () => {
    assert.equal(fit('abc', 5), 'abc  ');
    assert.equal(fit('abcdef', 5), 'abcd…');
    assert.equal(fit('abcde', 5), 'abcde');
  });

  test('formatMicros: UTC, milliseconds', () => {
    assert.equal(formatMicros(1_662_743_912_123_456), '2022-09-09 17:18:32.123');
  });

  test('route_monitoring table: header and a row with aligned columns', () => {
    const header = tableHeader('route_monitoring');
    assert.match(header, /^TIME \(UTC\)\s+ROUTER\s+PEER\s+ACTION\s+PREFIX\s+NEXT HOP\s+AS PATH$/);
    const row = tableRow(meta, route);
    assert.equal(row, formatRecord('table', meta, route));
    assert.ok(row.startsWith('2022-09-09 17:18:32.000  203.0.113.0 '));
    for (const [title, value] of [
      ['ROUTER', '203.0.113.0'],
      ['PEER', '192.0.2.1'],
      ['ACTION', 'announce'],
      ['PREFIX', '198.51.100.128/25'],
      ['AS PATH', '65011 65011 174 29447 396919'],
    ]) {
      assert.equal(row.indexOf(value, header.indexOf(title)), header.indexOf(title), `${title} column`);
    }
    assert.equal(row.indexOf('192.0.2.1', header.indexOf('NEXT HOP')), header.indexOf('NEXT HOP'));
  });

  test('route_monitoring table: VPN prefix with its RD, End-of-RIB as its family, long fields cut', () => {
    const vpn = tableRow(meta, { ...route, rd: '65017:102', prefix: '198.51.100.0/25' });
    assert.ok(vpn.includes('65017:102 198.51.100.0/25'));
    const eor = tableRow(meta, { ...route, action: 'end_of_rib', prefix: null, next_hop: null, as_path: [] });
    assert.ok(eor.includes('end_of_rib  [ipv4_unicast]'));
    assert.ok(eor.endsWith('-'));
    const long = tableRow(meta, { ...route, as_path: Array.from({ length: 30 }, (_, i) => ({ asn: 64_500 + i, segment: 'sequence' })) });
    assert.ok(long.endsWith('…'));
    assert.equal(long.length, tableHeader('route_monitoring').length - 'AS PATH'.length + 40);
    const noTime = tableRow(meta, { ...route, bmp_timestamp: null });
    assert.ok(noTime.startsWith('2023-11-14 22:13:20.000'), 'no BMP timestamp: the Kafka record time');
  });

  test('peer_up / peer_down tables: AS, families / reason', () => {
    const peerMeta = { ...meta, topic: 'peer_down' };
    assert.match(tableHeader('peer_down'), /^TIME \(UTC\)\s+ROUTER\s+PEER\s+AS\s+REASON$/);
    const down = tableRow(peerMeta, { ...route, reason: 'remote_notification', notification: 'cease/administrative_shutdown' });
    assert.match(down, /203\.0\.113\.0\s+192\.0\.2\.1\s+65011\s+remote_notification \(cease\/administrative_shutdown\)$/);
    assert.match(tableHeader('peer_up'), /^TIME \(UTC\)\s+ROUTER\s+PEER\s+AS\s+FAMILIES$/);
    assert.match(tableRow({ ...meta, topic: 'peer_up' }, { ...route, families: ['ipv4_unicast', 'ipv6_unicast'] }), /65011\s+ipv4_unicast,ipv6_unicast$/);
  });

  test('other topics: time, topic, router, peer and a few telling fields', () => {
    assert.match(tableHeader('stats'), /^TIME \(UTC\)\s+TOPIC\s+ROUTER\s+PEER\s+DETAILS$/);
    const stats = tableRow({ ...meta, topic: 'stats' }, { ...route, stats: [{ name: 'prefixes_rejected', value: 3 }, { name: 'adj_rib_in_routes', value: 2 ** 60 }] });
    assert.match(stats, /stats\s+203\.0\.113\.0\s+192\.0\.2\.1\s+prefixes_rejected=3 adj_rib_in_routes=1152921504606847000$/);
    const router = tableRow({ ...meta, topic: 'router' }, { router_address: '192.0.2.9', event: 'disconnected', collector_id: 'c1', disconnect_reason: 'router closed', timestamp: 1_700_000_000_000_000 });
    assert.match(router, /^2023-11-14 22:13:20\.000\s+router\s+192\.0\.2\.9\s+-\s+disconnected collector=c1 \(router closed\)$/);
    const error = tableRow({ ...meta, topic: 'errors' }, { router_address: '192.0.2.9', reason: 'bad\nthing', fatal: true });
    assert.match(error, /FATAL bad thing$/, 'no line breaks inside a row');
  });

  test('summaryLine', () => {
    assert.equal(summaryLine({ shown: 3, filteredOut: 12, undecodable: 0 }), '3 records shown, 12 filtered out');
    assert.equal(summaryLine({ shown: 0, filteredOut: 0, undecodable: 2 }), '0 records shown, 0 filtered out, 2 undecodable');
  });
});

describe('settings', () => {
  test('defaults, then environment, then flags', () => {
    const defaults = resolveTailSettings({}, {});
    assert.deepEqual(defaults.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(defaults.registry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
    assert.equal(defaults.topicPrefix, 'bmp.');
    const env = { BMP_KAFKA_BROKERS: 'k1:9092,k2:9092', BMP_TOPIC_PREFIX: 'prod.', BMP_KAFKA_CLIENT_ID: 'me' };
    const fromEnv = resolveTailSettings({}, env);
    assert.deepEqual(fromEnv.kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.equal(fromEnv.kafka.clientId, 'me');
    assert.equal(fromEnv.topicPrefix, 'prod.');
    const flags = resolveTailSettings({ brokers: 'k3:9093', prefix: 'x.', registry: 'http://r:1/api' }, env);
    assert.deepEqual(flags.kafka.brokers, ['k3:9093']);
    assert.equal(flags.topicPrefix, 'x.');
    assert.equal(flags.registry.url, 'http://r:1/api');
    assert.throws(() => resolveTailSettings({ brokers: 'nonsense' }, {}), /kafka\.brokers/);
  });

  test('a service config file works: its own sections are ignored, env and flags override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmp-tail-'));
    try {
      const file = join(dir, 'ingest.json');
      writeFileSync(
        file,
        JSON.stringify({
          log: { level: 'debug' },
          kafka: { brokers: 'file:9092', sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
          registry: { url: 'http://file-registry:8081/apis/ccompat/v7' },
          topics: { prefix: 'file.' },
          ingest: { port: 1791 },
          http: { port: 9000 },
        }),
      );
      const fromFile = resolveTailSettings({ config: file }, {});
      assert.deepEqual(fromFile.kafka.brokers, ['file:9092']);
      assert.equal(fromFile.kafka.sasl.mechanism, 'plain');
      assert.equal(fromFile.registry.url, 'http://file-registry:8081/apis/ccompat/v7');
      assert.equal(fromFile.topicPrefix, 'file.');
      const viaEnv = resolveTailSettings({}, { BMP_CONFIG: file, BMP_TOPIC_PREFIX: 'env.' });
      assert.equal(viaEnv.topicPrefix, 'env.');
      assert.deepEqual(viaEnv.kafka.brokers, ['file:9092']);
      assert.equal(resolveTailSettings({ config: file, prefix: 'flag.' }, { BMP_TOPIC_PREFIX: 'env.' }).topicPrefix, 'flag.');
      writeFileSync(file, JSON.stringify({ kafka: { broker: 'typo:9092' } }));
      assert.throws(() => resolveTailSettings({ config: file }, {}), /kafka\.broker/, 'typos in the shared sections are still errors');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WriterSchemaDecoder', () => {
  const stats: StatsEvent = {
    router_address: '192.0.2.1',
    sequence: 4,
    peer_type: 'global',
    peer_type_code: 0,
    peer_distinguisher: '0:0',
    peer_address: '198.51.100.7',
    peer_as: 64_500,
    peer_bgp_id: '198.51.100.7',
    is_post_policy: false,
    is_adj_rib_out: false,
    is_loc_rib_filtered: false,
    is_as2: false,
    bmp_timestamp: null,
    table_name: null,
    stats: [{ type: 7, name: 'adj_rib_in_routes', value: 2 ** 60, afi: null, safi: null, raw: null }],
  };

  test('decodes with the schema of the wire header id (fetched once), 64-bit values beyond 2^53 included', async () => {
    const asked: number[] = [];
    // What the registry client hands out for an Avro id: an avsc Type, i.e. something with schema().
    const decoder = new WriterSchemaDecoder({ getSchema: async (id) => (asked.push(id), { schema: () => schemaFor('stats') }) });
    const value = encodeRecord('stats', 42, stats);
    const first = await decoder.decode(value);
    const second = await decoder.decode(value);
    assert.deepEqual(asked, [42]);
    assert.equal((first.stats as Array<{ value: number }>)[0].value, 2 ** 60);
    assert.equal(first.peer_address, '198.51.100.7');
    assert.equal(first.bmp_timestamp, null, 'nullable fields unwrapped, as the pipeline writes them');
    assert.deepEqual(JSON.parse(jsonLine({ topic: 'stats', partition: 0, offset: '0', key: null }, second)).stats[0].value, 2 ** 60);
  });

  test('failures name the schema id and are retried after a while; non-wire values are refused', async () => {
    let calls = 0;
    const decoder = new WriterSchemaDecoder(
      {
        getSchema: async () => {
          calls++;
          if (calls === 1) throw new Error('registry down');
          return { schema: () => schemaFor('stats') };
        },
      },
      20,
    );
    const value = encodeRecord('stats', 7, stats);
    await assert.rejects(decoder.decode(value), /schema id 7: registry down/);
    await assert.rejects(decoder.decode(value), /registry down/, 'the failure stands for a while');
    assert.equal(calls, 1);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal((await decoder.decode(value)).router_address, '192.0.2.1');
    await assert.rejects(decoder.decode(Buffer.from('{"not":"avro"}')), /not a Confluent wire-format record/);
    const notAvro = new WriterSchemaDecoder({ getSchema: async () => ({ fields: [] }) });
    await assert.rejects(notAvro.decode(value), /schema id 7 is not an Avro schema/);
  });
});

test('asPathText renders AS_SET members in braces', () => {
  assert.equal(
    asPathText([
      { asn: 65001, segment: 'sequence' },
      { asn: 65003, segment: 'set' },
      { asn: 65004, segment: 'set' },
      { asn: 65005, segment: 'sequence' },
    ]),
    '65001 {65003,65004} 65005',
  );
  assert.equal(asPathText([]), '-');
});
