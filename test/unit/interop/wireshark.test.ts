/**
 * The pure parts of the interop suite's tshark reader: routes out of tshark's JSON tree (shapes
 * as tshark 4.0 prints them with --no-duplicate-keys) and the recognition of tshark's known
 * malformed-packet bugs. The interop tests themselves need real routers; these do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routesOf, unexplainedMalformed, type DissectedBmp, type Tree } from '../../interop/lib/wireshark.js';
import { dissectedKey } from '../../interop/lib/checks.js';

const peerHeader = (post: boolean, type = '0'): Tree => ({
  'bmp.peer.type': type,
  'bmp.peer.flags_tree': { 'bmp.peer.flags.post_policy': post ? '1' : '0' },
  'bmp.peer.ip.addr': type === '3' ? '0.0.0.0' : '127.1.2.2',
  'bmp.peer.asn': '4200000001',
  'bmp.peer.id': '192.0.2.1',
});

const attr = (code: number, fields: Tree): Tree => ({ 'bgp.update.path_attribute.type_code': String(code), ...fields });

test('an IPv4 announcement: AS path, next hop, communities, large communities, MED', () => {
  const message: DissectedBmp = {
    frame: 7,
    tree: {
      'bmp.type': '0',
      'bmp.peer.header': peerHeader(false),
      bgp: {
        'bgp.update.path_attributes': {
          'bgp.update.path_attribute': [
            attr(2, {
              'bgp.update.path_attribute.as_path_segment': {
                'bgp.update.path_attribute.as_path_segment.type': '2',
                'bgp.update.path_attribute.as_path_segment.as4': ['4200000001', '64512'],
              },
            }),
            attr(3, { 'bgp.update.path_attribute.next_hop': '192.0.2.1' }),
            attr(4, { 'bgp.update.path_attribute.multi_exit_disc': '60' }),
            attr(8, {
              'bgp.update.path_attribute.communities': {
                'bgp.update.path_attribute.community': [
                  { 'bgp.update.path_attribute.community_as': '65000', 'bgp.update.path_attribute.community_value': '1' },
                  { 'bgp.update.path_attribute.community_as': '65000', 'bgp.update.path_attribute.community_value': '666' },
                ],
              },
            }),
            attr(32, { 'bgp.large_communities_tree': { 'bgp.large_communities.ga': '4200000001', 'bgp.large_communities.ldp1': '1', 'bgp.large_communities.ldp2': '360' } }),
          ],
        },
        'bgp.update.nlri': { '10.2.104.0/24': { 'bgp.prefix_length': '24', 'bgp.nlri_prefix': '10.2.104.0' } },
      },
    },
  };
  const routes = routesOf(message);
  assert.equal(routes.length, 1);
  assert.equal(
    dissectedKey(routes[0], 'ipv4_unicast'),
    '127.1.2.2|pre|announce|10.2.104.0/24|as=4200000001 64512|nh=192.0.2.1|c=65000:1,65000:666|lc=4200000001:1:360|med=60|lp=null',
  );
});

test('IPv6 through MP_REACH and MP_UNREACH, an AS_SET, LOCAL_PREF, Loc-RIB view', () => {
  const message: DissectedBmp = {
    frame: 9,
    tree: {
      'bmp.type': '0',
      'bmp.peer.header': peerHeader(false, '3'),
      bgp: {
        'bgp.update.path_attributes': {
          'bgp.update.path_attribute': [
            attr(2, {
              'bgp.update.path_attribute.as_path_segment': [
                { 'bgp.update.path_attribute.as_path_segment.type': '2', 'bgp.update.path_attribute.as_path_segment.as4': '64600' },
                { 'bgp.update.path_attribute.as_path_segment.type': '1', 'bgp.update.path_attribute.as_path_segment.as4': ['1', '2'] },
              ],
            }),
            attr(5, { 'bgp.update.path_attribute.local_pref': '120' }),
            attr(14, {
              'bgp.update.path_attribute.mp_reach_nlri.next_hop_tree': { 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6': '2001:db8::2' },
              'bgp.update.path_attribute.mp_reach_nlri': { '2001:db8:2001::/48': { 'bgp.prefix_length': '48' } },
            }),
            attr(15, { 'bgp.update.path_attribute.mp_unreach_nlri': { '2001:db8:2002::/48': { 'bgp.prefix_length': '48' } } }),
          ],
        },
      },
    },
  };
  const keys = routesOf(message).map((r) => dissectedKey(r, 'ipv6_unicast'));
  assert.deepEqual(keys, [
    '0.0.0.0|loc_rib|withdraw|2001:db8:2002::/48',
    '0.0.0.0|loc_rib|announce|2001:db8:2001::/48|as=64600 {1} {2}|nh=2001:db8::2|c=|lc=|med=null|lp=120',
  ]);
});

test('an empty UPDATE is End-of-RIB; a Route Monitoring without BGP is an error naming the frame', () => {
  const eor = routesOf({ frame: 1, tree: { 'bmp.type': '0', 'bmp.peer.header': peerHeader(true), bgp: { 'bgp.update.withdrawn_routes.length': '0' } } });
  assert.deepEqual(eor.map((r) => dissectedKey(r, 'ipv4_unicast')), ['127.1.2.2|post|end_of_rib|ipv4_unicast']);
  assert.throws(() => routesOf({ frame: 42, tree: { 'bmp.type': '0', 'bmp.peer.header': peerHeader(true) } }), /frame 42/);
});

test("tshark's known bugs excuse only as many errors as the frame holds triggering messages", () => {
  const peerUpWithTlv: DissectedBmp = { frame: 8, tree: { 'bmp.type': '3', 'bmp.length': '183', bgp: [{ 'bgp.length': '57' }, { 'bgp.length': '57' }] } };
  const peerUpPlain: DissectedBmp = { frame: 8, tree: { 'bmp.type': '3', 'bmp.length': '182', bgp: [{ 'bgp.length': '57' }, { 'bgp.length': '57' }] } };
  const statsUnknown: DissectedBmp = { frame: 9, tree: { 'bmp.type': '1', 'bmp.stats.type': ['0', '65531'] } };
  const statsKnown: DissectedBmp = { frame: 9, tree: { 'bmp.type': '1', 'bmp.stats.type': ['0', '7'] } };
  const route: DissectedBmp = { frame: 10, tree: { 'bmp.type': '0' } };
  const frames = [
    { frame: 8, errors: 1, messages: [peerUpWithTlv] },
    { frame: 18, errors: 1, messages: [peerUpPlain] },
    { frame: 9, errors: 2, messages: [statsUnknown, statsUnknown, route] },
    { frame: 19, errors: 2, messages: [statsUnknown, statsKnown] },
    { frame: 10, errors: 1, messages: [route] },
  ];
  assert.deepEqual(
    unexplainedMalformed(frames).map((f) => f.frame),
    [18, 19, 10],
  );
});
