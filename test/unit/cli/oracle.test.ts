/**
 * `bmp decode --summary` against Wireshark's view of every real capture (ORACLE.tsv, tshark 4.0.17
 * through /work/shared/tools/tshark-oracle.sh): BMP messages per type, distinct peers, and IPv4 /
 * IPv6 prefixes announced and withdrawn. Where tshark is wrong, OVERRIDES states our value and
 * the evidence; every override must still differ from ORACLE.tsv, so a regenerated, corrected
 * oracle shows which ones to drop. Also: the real CLI prints what the in-process decode computes,
 * and its JSON Lines output carries the route fields downstream consumers rely on, with values
 * checked against tshark's dissection.
 *
 * Evidence was gathered with Debian 12's tshark 4.0.17 (`tshark -r FILE -d tcp.port==PORT,bmp -V`
 * or `-T pdml`, PORT from ORACLE's `ports` column).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeStream, openInput, SummaryCollector, type DecodeSummary } from '../../../services/cli/decode.js';
import type { EventSink } from '../../../services/events/session-decoder.js';
import { MESSAGE_TOPICS, type ErrorEvent, type MessageTopic } from '../../../services/events/model.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA, readOracleTsv, readStreamsTsv } from '../capture/testdata.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Where tshark is wrong.
//
// peers: tshark-oracle.sh takes `f.get("bmp.peer.ip.addr") or f.get("bmp.peer.ipv6.addr")`. An
// xml.etree Element without children is falsy, so for every IPv4 peer the `or` falls through to
// the absent IPv6 field and the address becomes "?": all IPv4 peers of one distinguisher count
// as one. (An IPv6 field is childless too, but as the last operand it is returned as is.) Checked
// by re-reading the PDML: each BMP message is its own <proto name="bmp"> with exactly one peer
// address field, so taking the first field per message (`if n not in f`) loses nothing — the
// undercount is the falsy Element alone. Counting (address, distinguisher) from the PDML
// correctly gives our number in every capture. Besides, tshark reads peer flag 0x80 as V (IPv6)
// for Loc-RIB peers too, where RFC 9069 §4.2 makes it F (filtered): a filtered Loc-RIB instance
// shows as "::" rather than 0.0.0.0 (it still counts once, except in the multivendor capture).
//
// v6_nlri / v6_wd: the oracle counts bgp.mp_reach_nlri_ipv6_prefix / bgp.mp_unreach_nlri_ipv6_prefix
// only. tshark 4.0 dissects each VPNv6 NLRI (AFI 2, SAFI 128) as a single `bgp.label_stack` field
// whose display text holds the prefix ("Label Stack=65583 (bottom) RD=64499:12,
// IPv6=2001:db8::10/128"; for type-2 RDs it even prints its format string, "Label Stack=%s
// RD=%u.%u:%u, IPv6=%s/%u"), so VPNv6 prefixes are missing from the oracle. IPv6 unicast and
// labeled IPv6 (SAFI 4) are counted. "N VPNv6" below = such label_stack NLRI entries counted by
// hand in the PDML (one per NLRI, directly under the MP_REACH / MP_UNREACH NLRI field); VPNv4 is
// dissected with bgp.mp_reach_nlri_ipv4_prefix and is counted by the oracle.
//
// other: our NLRI of non-IP families; the oracle's other_nlri counts EVPN, flowspec, BGP-LS and
// MVPN only.

interface Override {
  peers?: number;
  v4_nlri?: number;
  v4_wd?: number;
  v6_nlri?: number;
  v6_wd?: number;
  other?: number;
}

const OVERRIDES: Record<string, Override> = {
  // 4 IPv4 peers in 1 distinguisher ("?" once) + 2 Loc-RIB instances with the F flag ("::").
  // 208 VPNv6 NLRI besides the 2 IPv6 unicast and 4 labeled IPv6 tshark counts.
  'bmpplay-huawei-vrp-bmpv4-raw.bmp': { peers: 6, v6_nlri: 214 },
  // 4 IPv4 peers in 3 distinguishers + 4 IPv6 peers. 55 VPNv6 announced, 1 VPNv6 withdrawn.
  'netgauze-cisco-iosxr-evpn.pcap': { peers: 8, v6_nlri: 55, v6_wd: 1 },
  // 12 IPv4 peers in 1 distinguisher + 6 IPv6 peers. 96 VPNv6.
  'netgauze-cisco-iosxr7102-peers-different-caps.pcap': { peers: 18, v6_nlri: 96 },
  // 4 IPv4 peers (3 global peers and the Loc-RIB instance 0.0.0.0) in 1 distinguisher.
  'netgauze-frr108-upa-locrib-multisession.pcap': { peers: 4 },
  // BMP v4: tshark loses the framing and decodes 7 of the 30 messages, no Route Monitoring at all
  // (framing walk: RM 21, PU 9). Peers: 1.1.1.1 and 3.3.3.3 in 1 distinguisher + Loc-RIB "::".
  // Prefixes by hand: the 21 RM carry 15 IPv4 unicast NLRI (loc-rib: 111.1.1.1/32 111.1.1.2/32
  // 112.1.1.1/32; 1.1.1.1 pre/post in: the 111.1.1.x pair each, out: 112.1.1.1 each; 3.3.3.3 out
  // pre/post: all three each) and 9 End-of-RIB UPDATEs (0017 0200000000). Each RM's Stateless
  // Parsing TLV (45 04 0001 01 0x: ADD-PATH, IPv4 unicast, 1 receive / 2 send) matches the bytes:
  // path id 00000000 precedes the NLRI in 1.1.1.1's Adj-RIB-In (01) and 3.3.3.3's Adj-RIB-Out
  // (02), not in 1.1.1.1's Adj-RIB-Out (01) nor in Loc-RIB.
  'netgauze-huawei-bmpv4-addpath-peerup.pcap': { peers: 3, v4_nlri: 15 },
  // Peers as above. The 8 announced and 6 withdrawn VPNv4 NLRI tshark flags "MP Reach/Unreach NLRI
  // Labeled VPN IPv4 prefix length 0 invalid" start with a 4-octet ADD-PATH path id (the messages'
  // Stateless Parsing TLV is 45 04 0001 80 03: ADD-PATH for VPNv4): "00000000 78 fffff1
  // 0000006500000001 66000001" is path id 0, 120 bits = label + RD 101:1 + 102.0.0.1/32. 1 more
  // (Loc-RIB, no path id) tshark reads fine.
  'netgauze-huawei-bmpv4-vpnv4-adjribout-withdraw.pcap': { peers: 3, v4_nlri: 9, v4_wd: 6 },
  // 2 IPv4 peers in 1 distinguisher + 2 IPv6. 1 VPNv6 announced and 1 withdrawn on top of the 6+6
  // IPv6 unicast.
  'networklab-juniper-vmx-full-session.pcap': { peers: 4, v6_nlri: 7, v6_wd: 7 },
  'networklab-juniper-vmx-missing-peerup.pcap': { peers: 4, v6_nlri: 7, v6_wd: 7 },
  // 5 IPv4 peers in 1 distinguisher. 45 VPNv6 announced, 66 withdrawn.
  'pmacct-6wind-frr801-peerdown-stats.pcap': { peers: 5, v6_nlri: 45, v6_wd: 66 },
  // 16 IPv4 peers (11 of them Loc-RIB instances, 0.0.0.0) in 11 distinguishers + 2 IPv6. 323 IPv6
  // unicast + 157 VPNv6 announced, 9 + 11 withdrawn.
  'pmacct-cisco-iosxr2441-locrib-peerdown-vrf-with-ipfix.pcap': { peers: 18, v6_nlri: 480, v6_wd: 20 },
  // 6 IPv4 peers in 2 distinguishers + 1 IPv6, in each of the three IOS XR 7.10.1 captures.
  // 10 IPv6 unicast + 36 VPNv6.
  'pmacct-cisco-iosxr7101-mpls-ipv6transport-with-ipfix.pcap': { peers: 7, v6_nlri: 46 },
  // 18 IPv6 unicast + 79 VPNv6 announced, 8 + 16 withdrawn.
  'pmacct-cisco-iosxr7101-peerdown-ipv6transport.pcap': { peers: 7, v6_nlri: 97, v6_wd: 24 },
  // 10 IPv6 unicast + 36 VPNv6.
  'pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap': { peers: 7, v6_nlri: 46 },
  // 21 IPv4 RD-instance peers in 9 distinguishers + 21 IPv6 (the IPv4 ones count 9 times).
  'pmacct-cisco-iosxr741-rd-instance.pcap': { peers: 42 },
  // 9 IPv4 peers in 5 distinguishers + 3 IPv6.
  'pmacct-cisco-iosxr754-locrib-mixed-peertypes.pcap': { peers: 12 },
  // 2 IPv4 peers in 1 distinguisher + 3 Loc-RIB instances with the F flag ("::"). 2 IPv6 unicast
  // + 5 labeled IPv6 + 54 VPNv6. The route-policy capture is the same router and session.
  'pmacct-huawei-vrp8210-locrib-instance.pcap': { peers: 5, v6_nlri: 61 },
  'trafficrepro-huawei-vrp8210-route-policy-trace.pcap': { peers: 5, v6_nlri: 61 },
  // 2 IPv4 peers (a global peer and Loc-RIB 0.0.0.0) in 1 distinguisher.
  'trafficrepro-cisco-iosxr2441-global-peerdown.pcap': { peers: 2 },
  // Peers: 80 IPv4 in 40 distinguishers + 39 IPv6 = 119 (address, distinguisher) pairs in the
  // PDML, one of which is ("::", 0:0): the Loc-RIB instances with distinguisher 0 send both
  // filtered (F) and unfiltered messages; with F read as V tshark sees two addresses for the one
  // pair (0.0.0.0, 0:0). So 118.
  // Prefixes: tshark stops framing 2 of the 22 sessions after an exception (618 RM not decoded).
  // Re-dissected with one BMP message per TCP segment (so no message is lost) and counted per
  // NLRI entry, the 22 sessions give IPv4 2773 unicast + 951 labeled + 1953 VPNv4 = 5677 and IPv6
  // 1763 unicast + 34 labeled + 1434 VPNv6 = 3231, per session equal to ours. That includes the
  // 52 VPNv4 and 65 VPNv6 NLRI from Huawei 203.0.113.23 tshark flags "prefix length 0 invalid":
  // they carry ADD-PATH path ids (that router's Loc-RIB Peer Ups announce ADD-PATH per family).
  'trafficrepro-multivendor-juniper-huawei-cisco-frr.pcap': { peers: 118, v4_nlri: 5677, v6_nlri: 3231 },
  // One VPLS NLRI (AFI 25 / SAFI 65): dissected as bgp.vplsad.* fields, not in the oracle's list.
  'akvorado-juniper-vmx-vpls.pcap': { other: 1 },
  // MP_REACH with AFI 57 / SAFI 65 (tshark: "Unknown Address Family"): our one raw NLRI event.
  'akvorado-juniper-vmx-unknown-family.pcap': { other: 1 },
};

// ---------------------------------------------------------------------------------------------

/** ORACLE's t0..t6 / t_other, or the framing walk's counts where tshark lost part of a session. */
function expectedMessages(row: Record<string, string>): Record<MessageTopic, number> {
  const counts = (field: string): Record<string, number> =>
    field === '-' ? {} : Object.fromEntries(field.split(',').map((kv) => [kv.split(':')[0], Number(kv.split(':')[1])]));
  if (row.framing_agrees !== 'yes') {
    // pcap-to-bmp-stream.py's names; RPAT = type 100, Huawei's Route Policy and Attribute Trace.
    const f = counts(row.framing_types);
    const known = new Set(['RM', 'STATS', 'PD', 'PU', 'INIT', 'TERM', 'MIRROR', 'RPAT']);
    assert.deepEqual(Object.keys(f).filter((k) => !known.has(k)), [], `${row.file}: framing types we do not map`);
    return {
      initiation: f.INIT ?? 0,
      termination: f.TERM ?? 0,
      peer_up: f.PU ?? 0,
      peer_down: f.PD ?? 0,
      route_monitoring: f.RM ?? 0,
      stats: f.STATS ?? 0,
      route_mirroring: f.MIRROR ?? 0,
      roft: f.RPAT ?? 0,
    };
  }
  const other = counts(row.t_other);
  // Type 100 is the only non-RFC type in the data; any other would be an error event for us.
  assert.deepEqual(Object.keys(other).filter((k) => k !== '100'), [], `${row.file}: unexpected message types in t_other`);
  return {
    initiation: Number(row.t4_init),
    termination: Number(row.t5_term),
    peer_up: Number(row.t3_peer_up),
    peer_down: Number(row.t2_peer_down),
    route_monitoring: Number(row.t0_route_mon),
    stats: Number(row.t1_stats),
    route_mirroring: Number(row.t6_route_mirror),
    roft: other['100'] ?? 0,
  };
}

function oracleOther(row: Record<string, string>): number {
  return row.other_nlri === '-' ? 0 : row.other_nlri.split(',').reduce((n, kv) => n + Number(kv.split(':')[1]), 0);
}

/** The summary `bmp decode --summary` prints, computed in-process, plus the error events. */
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

describe('bmp decode --summary agrees with ORACLE.tsv (tshark 4.0.17)', { skip: !HAVE_TESTDATA && `shared test data not found in ${BMP_CAPTURE_DIR}` }, () => {
  const rows = HAVE_TESTDATA ? readOracleTsv() : [];
  const streams = HAVE_TESTDATA ? readStreamsTsv() : [];

  test('ORACLE.tsv covers every capture of STREAMS.tsv; overrides name only oracle files', () => {
    assert.deepEqual(rows.map((r) => r.file).sort(), [...new Set(streams.map((s) => s.file))].sort());
    for (const file of Object.keys(OVERRIDES)) assert.ok(rows.some((r) => r.file === file), `override for unknown file ${file}`);
  });

  for (const row of rows) {
    test(row.file, async () => {
      const { summary, errors } = await summarize(row.file);
      const o = OVERRIDES[row.file] ?? {};
      assert.deepEqual(summary.messages, expectedMessages(row), 'messages per type');

      const fromOracle = {
        peers: Number(row.peers),
        v4_nlri: Number(row.v4_nlri),
        v4_wd: Number(row.v4_wd),
        v6_nlri: Number(row.v6_nlri),
        v6_wd: Number(row.v6_wd),
        other: oracleOther(row),
      };
      for (const [key, value] of Object.entries(o) as Array<[keyof Override, number]>) {
        assert.notEqual(value, fromOracle[key], `${key}: the override equals ORACLE.tsv now, drop it`);
      }
      const expected = { ...fromOracle, ...o };
      const p = summary.prefixes;
      assert.deepEqual(
        { peers: summary.peers, v4_nlri: p.ipv4_announce, v4_wd: p.ipv4_withdraw, v6_nlri: p.ipv6_announce, v6_wd: p.ipv6_withdraw, other: p.other },
        expected,
      );

      // Errors: none, except a capture that ends inside a message (STREAMS.tsv: "trailing partial
      // message (N of M bytes)"), which is one non-fatal truncated-framing error per such session.
      const partial = streams
        .filter((s) => s.file === row.file)
        .map((s) => /trailing partial message \((\d+) of (\d+) bytes\)/.exec(s.notes))
        .filter((m): m is RegExpExecArray => m !== null);
      assert.equal(summary.errors, errors.length);
      assert.deepEqual(
        errors.map((e) => [e.reason, e.fatal]),
        partial.map((m) => [`framing lost (truncated): stream ended inside a BMP message (${m[1]} of ${m[2]} octets)`, false]),
      );
    });
  }
});

describe('the bmp CLI', { skip: !HAVE_TESTDATA && `shared test data not found in ${BMP_CAPTURE_DIR}` }, () => {
  const bmp = join(repoRoot, 'bin/bmp.js');

  test('decode --summary prints the in-process summary as one JSON object', async () => {
    // A capture with every kind of count: ROFT (type 100), VPNv6, Loc-RIB and a truncated end.
    const file = 'trafficrepro-huawei-vrp8210-route-policy-trace.pcap';
    const { stdout } = await run(process.execPath, [bmp, 'decode', '--summary', join(BMP_CAPTURE_DIR, file)], { cwd: repoRoot });
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const { summary } = await summarize(file);
    assert.deepEqual(JSON.parse(lines[0]), summary);
    assert.equal(summary.messages.roft, 4);
  });

  test('decode prints JSON Lines: a topic on every line, route events with every field, values as tshark dissects them', async () => {
    const file = 'networklab-juniper-vmx-full-session.pcap';
    const { stdout } = await run(process.execPath, [bmp, 'decode', join(BMP_CAPTURE_DIR, file)], { cwd: repoRoot, maxBuffer: 64 << 20 });
    const events = stdout
      .trimEnd()
      .split('\n')
      .map((line, i) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          assert.fail(`line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
        }
      });
    const topics = new Set<string>([...MESSAGE_TOPICS, 'errors']);
    for (const e of events) assert.ok(typeof e.topic === 'string' && topics.has(e.topic), `topic ${String(e.topic)}`);
    const count = (t: string): number => events.filter((e) => e.topic === t).length;
    assert.deepEqual([count('initiation'), count('peer_up'), count('stats'), count('termination'), count('errors')], [1, 4, 4, 1, 0]);

    const routes = events.filter((e) => e.topic === 'route_monitoring');
    // The prefixes --summary counts (10 + 10 IPv4, 7 + 7 IPv6, 2 EVPN), and 8 End-of-RIB markers
    // (tshark's 10 empty_updates are these 8 plus the 2 VPNv6 UPDATEs it has no prefix field for).
    assert.deepEqual([routes.filter((r) => r.action !== 'end_of_rib').length, routes.filter((r) => r.action === 'end_of_rib').length], [36, 8]);
    const isStr = (v: unknown): boolean => typeof v === 'string';
    const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
    const orNull = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);
    const arrayOf = (f: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(f);
    const REQUIRED: Record<string, (v: unknown) => boolean> = {
      router_address: isStr,
      peer_address: isStr,
      peer_as: isNum,
      peer_bgp_id: isStr,
      peer_type: (v) => ['global', 'rd_instance', 'local_instance', 'loc_rib', 'unknown'].includes(v as string),
      peer_distinguisher: isStr,
      is_post_policy: (v) => typeof v === 'boolean',
      is_adj_rib_out: (v) => typeof v === 'boolean',
      bmp_timestamp: orNull(isNum),
      action: (v) => ['announce', 'withdraw', 'end_of_rib'].includes(v as string),
      afi: isNum,
      safi: isNum,
      prefix: orNull(isStr),
      path_id: orNull(isNum),
      origin: (v) => v === null || ['igp', 'egp', 'incomplete'].includes(v as string),
      as_path: arrayOf((h) => isNum((h as { asn?: unknown }).asn) && isStr((h as { segment?: unknown }).segment)),
      next_hop: orNull(isStr),
      med: orNull(isNum),
      local_pref: orNull(isNum),
      communities: arrayOf(isStr),
      large_communities: arrayOf(isStr),
      extended_communities: arrayOf(isStr),
      rd: orNull(isStr),
      labels: arrayOf(isNum),
    };
    for (const r of routes) {
      for (const [field, ok] of Object.entries(REQUIRED)) {
        assert.ok(field in r, `route event without ${field}: ${JSON.stringify(r)}`);
        assert.ok(ok(r[field]), `route event ${field} = ${JSON.stringify(r[field])}`);
      }
    }

    // Spot checks against `tshark -r networklab-juniper-vmx-full-session.pcap -d tcp.port==10179,bmp -V`
    // (frames 14, 16 and the VPNv4 UPDATE of 198.51.100.128). IPv6 text is compared canonically.
    const canon = (text: string): string => (text.includes(':') ? new URL(`http://[${text}]/`).hostname : text);
    const samePrefix = (a: unknown, b: string): boolean => isStr(a) && canon((a as string).split('/')[0]) === canon(b.split('/')[0]) && (a as string).split('/')[1] === b.split('/')[1];
    const find = (peer: string, family: string, prefix: string): Record<string, unknown> => {
      const hit = routes.find((r) => r.action === 'announce' && r.family === family && samePrefix(r.prefix, prefix) && isStr(r.peer_address) && canon(r.peer_address as string) === canon(peer));
      assert.ok(hit, `no ${family} announce of ${prefix} from ${peer}`);
      return hit;
    };
    const asns = (r: Record<string, unknown>): number[] => (r.as_path as Array<{ asn: number }>).map((h) => h.asn);

    // Frame 14, second RM: peer 192.0.2.1 AS 65011, ORIGIN EGP, AS_PATH 65011 65011 174 29447
    // 396919, NEXT_HOP 192.0.2.1, COMMUNITIES 65011:12, NLRI 198.51.100.128/25.
    const a = find('192.0.2.1', 'ipv4_unicast', '198.51.100.128/25');
    assert.deepEqual(
      [a.peer_as, a.origin, asns(a), a.next_hop, a.communities, a.path_id, a.rd, a.labels],
      [65011, 'egp', [65011, 65011, 174, 29447, 396919], '192.0.2.1', ['65011:12'], null, null, []],
    );
    // Frame 16, second RM: peer 2001:db8::7 AS 65017, ORIGIN EGP, AS_PATH 65017 65017 1299 1299
    // 1299 12322, COMMUNITIES 65017:30, LARGE_COMMUNITY 65017:400:2, MP_REACH IPv6 unicast next hop
    // 2001:db8::7, 2001:db8:2::/64.
    const routeV6 = find('2001:db8::7', 'ipv6_unicast', '2001:db8:2::/64');
    assert.deepEqual(
      [routeV6.peer_as, routeV6.origin, asns(routeV6), canon(routeV6.next_hop as string), routeV6.communities, routeV6.large_communities],
      [65017, 'egp', [65017, 65017, 1299, 1299, 1299, 12322], canon('2001:db8::7'), ['65017:30'], ['65017:400:2']],
    );
    // VPNv4 from 2001:db8::7: ORIGIN EGP, AS_PATH 65017 65017 6453 396919, COMMUNITIES 65017:19,
    // next hop RD 0:0 + 192.0.2.7, NLRI label 299792 (bottom), RD 65017:102, 198.51.100.128/25.
    // (The RD's text form is not checked here: it belongs to the route-distinguisher module.)
    const vpn = find('2001:db8::7', 'vpnv4_unicast', '198.51.100.128/25');
    assert.deepEqual(
      [vpn.origin, asns(vpn), vpn.next_hop, vpn.communities, vpn.labels, typeof vpn.rd],
      ['egp', [65017, 65017, 6453, 396919], '192.0.2.7', ['65017:19'], [299792], 'string'],
    );
  });
});
