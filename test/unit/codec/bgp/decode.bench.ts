/**
 * Micro benchmark, run by hand (not part of the test suite; the runner only picks *.test.ts):
 *   node --import tsx test/unit/codec/bgp/decode.bench.ts [seconds]
 * Decodes a typical UPDATE in a loop and reports UPDATEs/s and prefixes/s for decodeBgpMessage
 * alone: 4 IPv4 prefixes, 5-hop AS path, 6 communities, ORIGIN, NEXT_HOP, MED. A second case puts
 * 4 IPv6 prefixes in MP_REACH_NLRI instead, for comparison.
 */
import { decodeBgpMessage, makeDecodeOptions, type UpdateMessage } from '../../../../services/codec/bgp/index.js';

function updateMessage(attrs: string, nlri: string): Buffer {
  const msg = Buffer.from(`${'ff'.repeat(16)}0000 02 0000 0000 ${attrs} ${nlri}`.replace(/\s+/g, ''), 'hex');
  msg.writeUInt16BE(msg.length, 16); // BGP length
  msg.writeUInt16BE(attrs.replace(/\s+/g, '').length / 2, 21); // total path attribute length
  return msg;
}

const common = `
  40 01 01 00                                                  # ORIGIN IGP
  40 02 16 02 05 0000fde8 00000d1c 00000b62 0000ac39 00003039  # AS_PATH: AS_SEQUENCE of 5 4-octet ASNs
  80 04 04 00000064                                            # MED 100
  c0 08 18 fde80064 fde800c8 fde8012c fde80190 ffffff01 ffffff02  # COMMUNITIES x6
`.replace(/#[^\n]*/g, '');

const ipv4 = updateMessage(
  `${common} 40 03 04 c0000201`, // NEXT_HOP 192.0.2.1
  '18 0a0001  18 0a0002  10 0b01  20 c0a80101', // 10.0.1.0/24 10.0.2.0/24 11.1.0.0/16 192.168.1.1/32
);
const mpNlri = '30 20010db80001  30 20010db80002  40 20010db800030004  80 20010db8000000000000000000000001';
const mpValue = `0002 01 10 20010db8000000000000000000000001 00 ${mpNlri}`;
const ipv6 = updateMessage(`${common} 90 0e ${(mpValue.replace(/\s+/g, '').length / 2).toString(16).padStart(4, '0')} ${mpValue}`, '');

const opts = makeDecodeOptions(true);
const seconds = Number(process.argv[2] ?? 3);

function prefixes(m: UpdateMessage): number {
  return m.nlri.length + (m.attributes.mpReach?.routes.length ?? 0);
}

function run(name: string, msg: Buffer): void {
  const check = decodeBgpMessage(msg, opts) as UpdateMessage;
  if (prefixes(check) !== 4 || check.attributes.communities?.length !== 6 || check.attributes.asPath?.[0].asns.length !== 5) {
    throw new Error(`${name}: benchmark message does not decode as expected`);
  }
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += prefixes(decodeBgpMessage(msg, opts) as UpdateMessage);
  let n = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 10_000; i++) sink += prefixes(decodeBgpMessage(msg, opts) as UpdateMessage);
    n += 10_000;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`${name}: ${msg.length}-byte UPDATE, ${fmt(n / secs)} UPDATEs/s, ${fmt((4 * n) / secs)} prefixes/s (checksum ${sink})`);
}

run('ipv4 unicast (NLRI field)', ipv4);
run('ipv6 unicast (MP_REACH)  ', ipv6);
