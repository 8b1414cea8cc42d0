import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodeBmpMessage,
  encodeBmpMessage,
  makeRoftTlv,
  roftPolicyClassName,
  roftPolicyValue,
  roftVrfTableValue,
  type RoftMessage,
} from '../../../../services/codec/bmp/index.js';
import { hex } from './hex.js';

/** Two events; event 1 has the flag octet after every policy (Wireshark/Huawei), event 2 only between (pmacct). */
const TWO_EVENTS = hex`
  03 000000d2 64                        // v3, length 210, type 100 (ROFT)
  // fixed part (33 octets)
  00                                    // flags: V clear (IPv4 prefix)
  0000 fbf3 0000000b                    // RD 0:64499:11
  18                                    // prefix length 24
  000000000000000000000000 cb007100     // prefix 203.0.113.0
  c0000235                              // route origin / BGP ID 192.0.2.53
  02                                    // event count 2
  00ab                                  // total event length 171
  // event 1 (103 octets)
  0067 01 646ccd08 0006a99c 00000000 0001 01   // length, index 1, timestamp, path id 0, AFI 1, SAFI 1
  0000 0007 00000001 413130             // VRF/Table: id 1, name "A10"
  0001 002f                             // Policy TLV, 47 octets
    c0                                  //   flags M|P: matched, permit
    02                                  //   policy count 2
    00                                  //   class 0: inbound
    000000000000000000000000 c0000b9b   //   peer address 192.0.11.155
    c6336437                            //   peer router id 198.51.100.55
    0000fde8                            //   peer AS 65000
    0003 0002 525031 3130 80            //   "RP1" item "10", flags C (chained)
    0003 0002 525032 3230 00            //   "RP2" item "20", flags 0
  0002 0004 40010100                    // pre-policy attributes: ORIGIN IGP
  0003 0004 40010102                    // post-policy attributes: ORIGIN incomplete
  0004 0003 616200                      // String "ab" + NUL
  // event 2 (68 octets)
  0044 02 646ccd09 00000001 00000007 0001 01   // index 2, path id 7
  0001 0028                             // Policy TLV, 40 octets
    40 02 01                            //   flags P, 2 policies, class 1: outbound
    20010db8000000000000000000000001    //   peer address 2001:db8::1
    c0000201 fa56ea00                   //   router id 192.0.2.1, AS 4200000000
    0001 0001 41 31 40                  //   "A" item "1", flags R (recursive)
    0001 0001 42 32                     //   "B" item "2", no flag octet after the last entry
  0009 0002 abcd                        // unknown event TLV type 9: kept raw
`;

function roft(buf: Buffer): RoftMessage {
  const m = decodeBmpMessage(buf);
  assert.equal(m.type, 'roft');
  assert.deepEqual(encodeBmpMessage(m), buf, 'round trip');
  return m as RoftMessage;
}

test('ROFT (type 100): fixed part, events, every event TLV kind, both policy flag layouts', () => {
  const m = roft(TWO_EVENTS);
  assert.deepEqual(
    [m.messageType, m.flags, m.ipv6, m.routeDistinguisher, m.prefix, m.prefixLength, m.routeOrigin, m.routeOriginId, m.eventCount, m.totalEventLength, m.trailing],
    [100, 0, false, '64499:11', '203.0.113.0', 24, 0xc0000235, '192.0.2.53', 2, 171, null],
  );
  assert.equal(m.events.length, 2);
  const [e1, e2] = m.events;
  assert.deepEqual([e1.index, e1.timestamp, e1.pathId, e1.afi, e1.safi], [1, 0x646ccd08 * 1e6 + 0x0006a99c, 0, 1, 1]);
  assert.deepEqual(
    e1.tlvs.map((t) => t.kind),
    ['vrf_table', 'policy', 'pre_policy_attributes', 'post_policy_attributes', 'string'],
  );
  const [vrf, policy, pre, post, str] = e1.tlvs;
  assert.ok(vrf.kind === 'vrf_table' && vrf.vrfId === 1 && vrf.name === 'A10');
  assert.ok(policy.kind === 'policy');
  assert.deepEqual(
    [policy.matched, policy.permitted, policy.attributesDiffer, policy.policyCount, policy.policyClassName, policy.peerAddress, policy.peerRouterId, policy.peerAs],
    [true, true, false, 2, 'inbound', '192.0.11.155', '198.51.100.55', 65000],
  );
  assert.deepEqual(policy.policies, [
    { name: 'RP1', itemId: '10', flags: 0x80, chained: true, recursive: false },
    { name: 'RP2', itemId: '20', flags: 0, chained: false, recursive: false },
  ]);
  assert.ok(pre.kind === 'pre_policy_attributes');
  assert.deepEqual(pre.attributes, hex`40010100`);
  assert.ok(post.kind === 'post_policy_attributes');
  assert.deepEqual(post.attributes, hex`40010102`);
  assert.ok(str.kind === 'string' && str.text === 'ab\u0000');

  assert.deepEqual([e2.index, e2.pathId], [2, 7]);
  const [p2, unknown] = e2.tlvs;
  assert.ok(p2.kind === 'policy');
  assert.deepEqual([p2.policyClassName, p2.peerAddress, p2.peerAs], ['outbound', '2001:db8::1', 4200000000]);
  assert.deepEqual(p2.policies, [
    { name: 'A', itemId: '1', flags: 0x40, chained: false, recursive: true },
    { name: 'B', itemId: '2', flags: null, chained: false, recursive: false },
  ]);
  assert.deepEqual([unknown.kind, unknown.type, unknown.value], ['unknown', 9, hex`abcd`]);
});

test('ROFT with an IPv6 prefix and a Policy TLV neither layout explains: entries null, bytes kept', () => {
  const m = roft(hex`
    03 00000060 64
    80 0000000000000000 40 20010db8000100000000000000000000   // V flag, RD 0, 2001:db8:1::/64
    00000000 01 0039
    0039 01 00000000 00000000 00000000 0002 01
    0001 0023 80 01 08 ${'00'.repeat(24)} 0001 0000 58 00 ffff   // 2 octets too many
  `);
  assert.deepEqual([m.ipv6, m.prefix, m.prefixLength], [true, '2001:db8:1::', 64]);
  const t = m.events[0].tlvs[0];
  assert.ok(t.kind === 'policy' && t.policies === null && t.policyClassName === 'route_withdraw' && t.matched);
  assert.equal(t.value.length, 35);
});

test('ROFT counts are kept as received: fewer events than counted, octets after the counted events', () => {
  // Event count says 3, only 1 event present before the end.
  const few = roft(hex`03 00000039 64 ${'00'.repeat(30)} 03 0012  0012 01 ${'00'.repeat(15)}`);
  assert.deepEqual([few.eventCount, few.events.length, few.trailing], [3, 1, null]);
  // Event count says 1, a second event follows: kept raw as trailing.
  const more = roft(hex`03 0000004b 64 ${'00'.repeat(30)} 01 0012  0012 01 ${'00'.repeat(15)}  0012 02 ${'00'.repeat(15)}`);
  assert.deepEqual([more.eventCount, more.events.length, more.trailing?.length], [1, 1, 18]);
});

test('malformed ROFT is a CodecError', () => {
  assert.throws(() => decodeBmpMessage(hex`03 00000026 64 ${'00'.repeat(32)}`), /ROFT fixed part/);
  assert.throws(() => decodeBmpMessage(hex`03 00000039 64 ${'00'.repeat(30)} 01 0012  0011 01 ${'00'.repeat(15)}`), /below 18/);
  assert.throws(() => decodeBmpMessage(hex`03 00000039 64 ${'00'.repeat(30)} 01 0012  0013 01 ${'00'.repeat(15)}`), CodecError);
  assert.throws(() => decodeBmpMessage(hex`03 0000003d 64 ${'00'.repeat(30)} 01 0016  0016 01 ${'00'.repeat(15)} 0004 0001`), /ROFT event TLV/);
});

test('ROFT dispatch can be disabled or moved: type 100 then decodes as unknown', () => {
  assert.equal(decodeBmpMessage(TWO_EVENTS, { roftMessageType: null }).type, 'unknown');
  const moved = Buffer.from(TWO_EVENTS);
  moved[5] = 251;
  const m = decodeBmpMessage(moved, { roftMessageType: 251 });
  assert.ok(m.type === 'roft' && m.messageType === 251);
  assert.deepEqual(encodeBmpMessage(m), moved);
});

test('ROFT built from TLV value builders encodes to the same bytes', () => {
  const m: RoftMessage = {
    type: 'roft',
    version: 3,
    messageType: 100,
    flags: 0,
    ipv6: false,
    routeDistinguisher: '64499:11',
    prefixLength: 24,
    prefix: '203.0.113.0',
    routeOrigin: 0xc0000235,
    routeOriginId: '',
    eventCount: 2,
    totalEventLength: 171,
    trailing: null,
    events: [
      {
        index: 1,
        timestamp: 0x646ccd08 * 1e6 + 0x0006a99c,
        pathId: 0,
        afi: 1,
        safi: 1,
        tlvs: [
          makeRoftTlv(0, roftVrfTableValue(1, 'A10')),
          makeRoftTlv(
            1,
            roftPolicyValue({
              flags: 0xc0,
              policyClass: 0,
              peerAddress: '192.0.11.155',
              peerRouterId: '198.51.100.55',
              peerAs: 65000,
              policies: [
                { name: 'RP1', itemId: '10', flags: 0x80 },
                { name: 'RP2', itemId: '20', flags: 0 },
              ],
            }),
          ),
          makeRoftTlv(2, hex`40010100`),
          makeRoftTlv(3, hex`40010102`),
          makeRoftTlv(4, Buffer.from('ab\u0000')),
        ],
      },
      {
        index: 2,
        timestamp: 0x646ccd09 * 1e6 + 1,
        pathId: 7,
        afi: 1,
        safi: 1,
        tlvs: [
          makeRoftTlv(
            1,
            roftPolicyValue({
              flags: 0x40,
              policyClass: 1,
              peerAddress: '2001:db8::1',
              peerRouterId: '192.0.2.1',
              peerAs: 4200000000,
              policies: [
                { name: 'A', itemId: '1', flags: 0x40 },
                { name: 'B', itemId: '2', flags: null },
              ],
            }),
          ),
          makeRoftTlv(9, hex`abcd`),
        ],
      },
    ],
  };
  assert.deepEqual(encodeBmpMessage(m), TWO_EVENTS);
  assert.equal(roftPolicyClassName(9), null);
});
