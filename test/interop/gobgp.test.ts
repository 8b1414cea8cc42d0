/**
 * GoBGP as the monitored router, sending BMP to the ingest service (issue "Interop: real routers
 * send BMP to the pipeline in the test suite, checked against Wireshark").
 *
 * gobgpd has two exabgp neighbours on loopback addresses: an eBGP one with a 4-octet AS and an
 * iBGP one (LOCAL_PREF), announcing a few thousand IPv4 and IPv6 routes with varied attributes.
 * Its inbound policy rejects routes with community 65000:666, so pre- and post-policy differ.
 * BMP: pre-policy, post-policy and Loc-RIB (route-monitoring-policy "all"), statistics every 15 s
 * (GoBGP's minimum). Then the eBGP neighbour changes some paths and withdraws some routes, the
 * iBGP neighbour is disabled and enabled on the router, and the BMP station is removed
 * (`gobgp bmp del`: Termination). tcpdump captures the BMP session; tshark dissects it.
 *
 * Checked: Initiation with sysName; a Peer Up per neighbour session with both OPENs; every RIB
 * view rebuilt from the events equals the neighbour's routes (all of them pre-policy, those the
 * policy accepts post-policy and in the Loc-RIB), attributes included; withdrawals and path
 * changes seen in every view; the Peer Down and its reason; statistics; Termination; and every
 * event equal to tshark's dissection of the same message.
 * The peer-state service, run on the same topics, ends in the state the scenario left (peers,
 * ASNs, BGP IDs, status, flaps and last Peer Down, sysName, session ended, End-of-RIB, statistics);
 * the route-change aggregates equal a replay of the topic and the scenario's own counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RouteEvent } from '../../services/events/model.js';
import { freePorts } from '../helpers/ports.js';
import { requireTools } from './lib/tools.js';
import { ExabgpNeighbour } from './lib/exabgp.js';
import { waitFor, type Tracked } from './lib/processes.js';
import { changedRoute, initialRoutes, rejectedByPolicy, REJECT_COMMUNITY, tableOf, type NeighbourPlan, type Route } from './lib/routes.js';
import { assertAnnouncedPrefixes, assertTable, rebuildTables, routeCounts, viewOf } from './lib/checks.js';
import type { View } from './lib/wireshark.js';
import { compareWithTshark, gatherEvidence, waitSessionClosed, withScenario } from './lib/scenario.js';
import { checkPeerState } from './lib/peer-state-checks.js';
import { assertScenarioTotals, assertTotalsAgree, replayTotals, routeChangeRecords, totalsByPeerView, totalsText, changedRoutePathChanges } from './lib/route-changes.js';

const run = promisify(execFile);
const ROUTER_AS = 65000;
const ROUTER_ID = '192.0.2.100';
const SYS_NAME = 'interop-gobgp';
/** GoBGP refuses a statistics interval under 15 s. */
const STATS_SECONDS = 15;

const plans: NeighbourPlan[] = [
  { index: 1, asn: 4200000001, ibgp: false, ipv4: 1500, ipv6: 500 },
  { index: 2, asn: ROUTER_AS, ibgp: true, ipv4: 1000, ipv6: 500 },
];

function gobgpdConfig(o: { routerAddress: string; bgpPort: number; bmpPort: number; neighbours: Array<{ address: string; asn: number; name: string }> }): string {
  const neighbours = o.neighbours
    .map(
      (n) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.asn}
    description = "${n.name}"
  [neighbors.transport.config]
    # The neighbours connect: gobgpd waits 5-10 s before each connect of its own.
    passive-mode = true
    local-address = "${o.routerAddress}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`,
    )
    .join('');
  return `[global.config]
  as = ${ROUTER_AS}
  router-id = "${ROUTER_ID}"
  port = ${o.bgpPort}
  local-address-list = ["${o.routerAddress}"]
[global.apply-policy.config]
  import-policy-list = ["reject-marked"]
  default-import-policy = "accept-route"

[[defined-sets.bgp-defined-sets.community-sets]]
  community-set-name = "marked"
  community-list = ["${REJECT_COMMUNITY}"]
[[policy-definitions]]
  name = "reject-marked"
  [[policy-definitions.statements]]
    name = "marked"
    [policy-definitions.statements.conditions.bgp-conditions.match-community-set]
      community-set = "marked"
      match-set-options = "any"
    [policy-definitions.statements.actions]
      route-disposition = "reject-route"
${neighbours}
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = ${o.bmpPort}
    route-monitoring-policy = "all"
    statistics-timeout = ${STATS_SECONDS}
    sys-name = "${SYS_NAME}"
`;
}

test('GoBGP sends BMP (pre-policy, post-policy, Loc-RIB, stats) to the pipeline; events match tshark', { timeout: 240_000 }, async (t) => {
  const { paths, versions } = requireTools(['gobgpd', 'gobgp', 'exabgp', 'tcpdump', 'tshark']);
  t.diagnostic(`GoBGP ${versions.gobgpd} (gobgp ${versions.gobgp}), exabgp ${versions.exabgp}, tcpdump ${versions.tcpdump}, tshark ${versions.tshark}`);
  const began = Date.now();

  await withScenario('gobgp', paths.tcpdump, async (s) => {
    const [bgpPort, apiPort] = await freePorts(2);
    const routerAddress = `${s.loopbackBlock}.1`;
    const gobgp = async (...args: string[]): Promise<string> => (await run(paths.gobgp, ['-u', '127.0.0.1', '-p', String(apiPort), ...args], { timeout: 20_000 })).stdout;

    const neighbours = plans.map(
      (plan) =>
        new ExabgpNeighbour({
          name: `n${plan.index}`,
          dir: s.dir,
          exabgp: paths.exabgp,
          localAddress: `${s.loopbackBlock}.${plan.index + 1}`,
          routerAddress,
          routerPort: bgpPort,
          localAs: plan.asn,
          routerAs: ROUTER_AS,
          routerId: `192.0.2.${plan.index}`,
        }),
    );
    const config = join(s.dir, 'gobgpd.toml');
    writeFileSync(config, gobgpdConfig({ routerAddress, bgpPort, bmpPort: s.collector.bmpPort, neighbours: neighbours.map((n, i) => ({ address: n.address, asn: plans[i].asn, name: `n${i + 1}` })) }));
    const gobgpd: Tracked = s.group.start('gobgpd', paths.gobgpd, ['-f', config, '-t', 'toml', '--pprof-disable', '--api-hosts', `127.0.0.1:${apiPort}`, '-l', 'info']);
    await waitFor(() => `gobgpd API not up: ${gobgpd.output().slice(-2000)}`, () => gobgp('neighbor').then(() => true, () => undefined), 20_000);

    // What each neighbour holds, as the test changes it; the router's views follow from it.
    const current = plans.map((plan) => tableOf(initialRoutes(plan)));
    const accepted = (i: number): Route[] => [...current[i].values()].filter((r) => !rejectedByPolicy(r));

    /** Waits until gobgpd has received exactly what each neighbour holds and its Loc-RIB holds what was accepted. */
    const converged = async (what: string): Promise<void> => {
      const wantLocRib = { ipv4: 0, ipv6: 0 };
      for (let i = 0; i < plans.length; i++) for (const r of accepted(i)) wantLocRib[r.prefix.includes(':') ? 'ipv6' : 'ipv4']++;
      let last = '';
      s.step(`waiting for convergence: ${what}`);
      await waitFor(
        () => `${what}: gobgpd state ${last}; ${gobgpd.output().slice(-1500)}`,
        async () => {
          const states = await Promise.all(neighbours.map(async (n) => JSON.parse(await gobgp('neighbor', n.address, '-j')) as GobgpNeighbor));
          const received = states.map((st) => (st.afi_safis ?? []).reduce((sum, a) => sum + (a.state?.received ?? 0), 0));
          const established = states.map((st) => st.state?.session_state === 6);
          const loc = {
            ipv4: Number(/Destination: (\d+)/.exec(await gobgp('global', 'rib', 'summary', '-a', 'ipv4'))?.[1]),
            ipv6: Number(/Destination: (\d+)/.exec(await gobgp('global', 'rib', 'summary', '-a', 'ipv6'))?.[1]),
          };
          last = JSON.stringify({ established, received, loc });
          const ok = established.every(Boolean) && received.every((n, i) => n === current[i].size) && loc.ipv4 === wantLocRib.ipv4 && loc.ipv6 === wantLocRib.ipv6;
          return ok ? true : undefined;
        },
        60_000,
        500,
      );
    };

    // 1. Both neighbours up, announcing everything.
    s.step('starting the neighbours and announcing');
    for (let i = 0; i < neighbours.length; i++) {
      await neighbours[i].start(s.group);
      await neighbours[i].announce([...current[i].values()]);
    }
    await converged('initial announcements');

    // 2. The eBGP neighbour moves some prefixes to another path (one in 25 of them were rejected
    //    before and are accepted now), then withdraws others.
    const n1 = [...current[0].values()];
    const changed = [...n1.slice(100, 300), ...n1.filter((r) => r.prefix.includes(':')).slice(100, 150)].map((r) => changedRoute(r, plans[0]));
    const withdrawn = [...n1.slice(1000, 1200), ...n1.filter((r) => r.prefix.includes(':')).slice(400, 450)];
    await neighbours[0].announce(changed);
    for (const r of changed) current[0].set(r.prefix, r);
    await neighbours[0].withdraw(withdrawn);
    for (const r of withdrawn) current[0].delete(r.prefix);
    await converged('path changes and withdrawals');

    // 3. The iBGP neighbour is disabled on the router (Peer Down) and enabled again (second Peer Up).
    const n2 = neighbours[1].address;
    await gobgp('neighbor', n2, 'disable');
    await waitFor(() => `${n2} still established`, async () => ((JSON.parse(await gobgp('neighbor', n2, '-j')) as GobgpNeighbor).state?.session_state !== 6 ? true : undefined), 20_000);
    await gobgp('neighbor', n2, 'enable');
    await converged('neighbour 2 back up');

    // 4. A statistics report for each neighbour after the flap (GoBGP reports only established
    //    peers, every STATS_SECONDS), then the station removed: Termination, session closed.
    const statsBefore = await s.collector.metric('bmp_messages_total', /type="stats"/);
    await waitFor(
      () => 'no statistics report after the flap',
      async () => ((await s.collector.metric('bmp_messages_total', /type="stats"/)) >= statsBefore + neighbours.length ? true : undefined),
      (STATS_SECONDS + 10) * 1000,
      500,
    );
    await gobgp('bmp', 'del', `127.0.0.1:${s.collector.bmpPort}`);
    s.step('waiting for the BMP session to close');
    await waitSessionClosed(s);
    const scenarioSeconds = (Date.now() - began) / 1000;
    s.step('stopping the routers');
    for (const n of neighbours) await n.stop(s.group);
    await s.group.stop(gobgpd);

    // 5. The evidence: tshark's dissection of the capture, the topics read back.
    const evidence = await gatherEvidence(s, paths.tshark);
    const { consumed } = evidence;
    const tshark = compareWithTshark(evidence);

    // Initiation, Termination.
    assert.equal(consumed.initiation.length, 1, 'one Initiation');
    assert.equal(consumed.initiation[0].sys_name, SYS_NAME);
    assert.equal(consumed.termination.length, 1, 'Termination after gobgp bmp del');

    // Peer Up: n1 once, n2 twice (after the flap); both OPENs with the right speakers.
    for (let i = 0; i < neighbours.length; i++) {
      const ups = consumed.peer_up.filter((u) => u.peer_address === neighbours[i].address);
      assert.equal(ups.length, i === 1 ? 2 : 1, `Peer Ups of n${i + 1}`);
      for (const up of ups) {
        assert.equal(up.sent_open?.asn, ROUTER_AS);
        assert.equal(up.sent_open?.bgp_id, ROUTER_ID);
        assert.equal(up.received_open?.asn, plans[i].asn);
        assert.equal(up.received_open?.bgp_id, `192.0.2.${plans[i].index}`);
        assert.equal(up.peer_as, plans[i].asn);
        assert.equal(up.four_octet_as, true);
        assert.deepEqual([...up.families].sort(), ['ipv4_unicast', 'ipv6_unicast']);
        assert.equal(up.local_address, routerAddress);
        assert.equal(up.local_port === bgpPort || up.remote_port === bgpPort, true, 'one end of the session is the router BGP port');
      }
    }

    // Peer Down: only n2's. GoBGP reports an administrative disable as reason 1 (local
    // NOTIFICATION) or 4 (remote closed) from run to run (observed with 3.10).
    assert.equal(consumed.peer_down.length, 1, 'one Peer Down');
    const down = consumed.peer_down[0];
    assert.equal(down.peer_address, n2);
    assert.ok([1, 4].includes(down.reason_code), `Peer Down reason ${down.reason_code} (${down.reason})`);
    if (down.reason_code === 1) assert.equal(down.notification_code, 6, 'NOTIFICATION is a Cease');

    // Statistics: reports for each peer with the Adj-RIB-In and Loc-RIB gauges (types 7, 8);
    // the last one, after everything converged, counts the neighbour's routes now.
    const lastStats: string[] = [];
    for (let i = 0; i < neighbours.length; i++) {
      const reports = consumed.stats.filter((r) => r.peer_address === neighbours[i].address).sort((a, b) => a.sequence - b.sequence);
      assert.ok(reports.length >= 1, `stats for ${neighbours[i].address}`);
      for (const r of reports) {
        const types = r.stats.map((x) => x.type);
        assert.ok(types.includes(7) && types.includes(8), `stat types ${types}`);
      }
      const last = Object.fromEntries(reports[reports.length - 1].stats.map((x) => [x.type, x.value]));
      lastStats.push(`n${i + 1} ${JSON.stringify(last)}`);
      assert.equal(last[7], current[i].size, `n${i + 1}: routes in Adj-RIB-In (stat 7)`);
      // GoBGP 3.10 fills stat 8 ("routes in Loc-RIB") with its per-neighbour "Accepted" counter,
      // which ignores the global import policy (`gobgp neighbor` shows Accepted = Received too):
      // the routes the policy rejects are counted.
      assert.equal(last[8], current[i].size, `n${i + 1}: stat 8 as GoBGP counts it`);
      // Stats 11 and 12 are "updates / prefixes subjected to treat-as-withdraw" (RFC 7854 §4.8);
      // GoBGP 3.10 counts the plain withdrawals it received there (nothing here is malformed).
      assert.equal(last[12], i === 0 ? withdrawn.length : 0, `n${i + 1}: withdrawn prefixes (stat 12) as GoBGP counts them`);
    }

    // The RIB views rebuilt from the events equal what the neighbours hold now.
    const tables = rebuildTables(consumed);
    let routesCompared = 0;
    const locRib = new Map<string, Route>();
    for (let i = 0; i < neighbours.length; i++) {
      const a = neighbours[i].address;
      routesCompared += assertTable(tables.get(`${a}|pre`), current[i], `n${i + 1} pre-policy`);
      routesCompared += assertTable(tables.get(`${a}|post`), tableOf(accepted(i)), `n${i + 1} post-policy`);
      for (const r of accepted(i)) locRib.set(r.prefix, r);
    }
    // The router sets LOCAL_PREF on routes from eBGP in its Loc-RIB; not the neighbour's value.
    routesCompared += assertTable(tables.get('0.0.0.0|loc_rib'), locRib, 'Loc-RIB', { localPref: false });

    // Every withdrawal seen as such in the views that held the route; every path change seen
    // with both paths.
    const rm = consumed.route_monitoring;
    const byPrefix = new Map<string, RouteEvent[]>();
    for (const e of rm) if (e.prefix !== null) byPrefix.set(e.prefix, [...(byPrefix.get(e.prefix) ?? []), e]);
    const original = tableOf(initialRoutes(plans[0]));
    for (const r of withdrawn) {
      const views = new Set((byPrefix.get(r.prefix) ?? []).filter((e) => e.action === 'withdraw').map(viewOf));
      const held: View[] = rejectedByPolicy(original.get(r.prefix) as Route) ? [] : ['post', 'loc_rib'];
      for (const v of held) assert.ok(views.has(v), `withdrawal of ${r.prefix} in ${v}: ${[...views]}`);
    }
    for (const r of changed) {
      const pre = (byPrefix.get(r.prefix) ?? []).filter((e) => viewOf(e) === 'pre' && e.action === 'announce' && e.peer_address === neighbours[0].address);
      const meds = new Set(pre.map((e) => e.med));
      assert.ok(meds.has(7777) && meds.has((original.get(r.prefix) as Route).med), `pre-policy path change of ${r.prefix}: MEDs ${[...meds]}`);
    }

    // Distinct prefixes announced per peer and view over the session: everything the neighbour
    // announced pre-policy, what the policy accepted at some point post-policy and in the Loc-RIB.
    const everAccepted = (i: number): Set<string> => {
      const first = initialRoutes(plans[i]).filter((r) => !rejectedByPolicy(r)).map((r) => r.prefix);
      return new Set([...first, ...(i === 0 ? changed.map((r) => r.prefix) : [])]);
    };
    let announcedChecked = 0;
    for (let i = 0; i < neighbours.length; i++) {
      const a = neighbours[i].address;
      announcedChecked += assertAnnouncedPrefixes(rm, a, 'pre', new Set(initialRoutes(plans[i]).map((r) => r.prefix)), `n${i + 1} pre-policy`);
      announcedChecked += assertAnnouncedPrefixes(rm, a, 'post', everAccepted(i), `n${i + 1} post-policy`);
    }
    announcedChecked += assertAnnouncedPrefixes(rm, '0.0.0.0', 'loc_rib', new Set([...everAccepted(0), ...everAccepted(1)]), 'Loc-RIB');

    // The peer-state service's state at the end: the neighbours as the scenario left them (n2
    // up again after its flap), the router as the Termination left it. GoBGP sends no End-of-RIB
    // without graceful restart (real-senders.md), so every initial dump stays in progress.
    s.step('peer-state checks');
    const state = await s.peerState.settled(consumed);
    const peerState = checkPeerState(state, consumed, {
      sysName: SYS_NAME,
      routerAs: ROUTER_AS,
      routerId: ROUTER_ID,
      routerAddress,
      neighbours: neighbours.map((n, i) => ({ address: n.address, asn: plans[i].asn, bgpId: `192.0.2.${plans[i].index}`, flapped: i === 1 })),
      ended: 'termination',
      endOfRib: 'never',
    });

    // Route-change aggregates: equal to a replay of the topic, and to what the scenario did. The
    // eBGP neighbour's path changes change the AS path, communities, large communities and MED
    // of every changed route (changedRoute), nothing else; a changed route the policy rejected
    // before is a new route post-policy and in the Loc-RIB. n2's Peer Down drops its routes
    // (implicit withdrawals), and the end of the BMP session drops what is left.
    const aggregated = totalsByPeerView(routeChangeRecords(consumed));
    assertTotalsAgree(aggregated, replayTotals(consumed));
    const rejected = (routes: Route[]): number => routes.filter(rejectedByPolicy).length;
    const i1 = initialRoutes(plans[0]);
    const i2 = initialRoutes(plans[1]);
    const changedWasRejected = changed.filter((r) => rejectedByPolicy(original.get(r.prefix) as Route)).length;
    const acc1 = i1.length - rejected(i1);
    const acc2 = i2.length - rejected(i2);
    const none = { duplicates: 0, unknown_withdrawals: 0, late_events: 0 };
    const [a1, a2] = neighbours.map((n) => n.address);
    assertScenarioTotals(aggregated, {
      [`${a1}|adj_rib_in_pre`]: { announcements: i1.length + changed.length, new_routes: i1.length, ...changedRoutePathChanges(changed.length), withdrawals: withdrawn.length, implicit_withdrawals: current[0].size, ...none },
      [`${a1}|adj_rib_in_post`]: {
        new_routes: acc1 + changedWasRejected,
        ...changedRoutePathChanges(changed.length - changedWasRejected),
        withdrawals: withdrawn.length - rejected(withdrawn),
        implicit_withdrawals: accepted(0).length,
        ...none,
      },
      [`${a2}|adj_rib_in_pre`]: { announcements: 2 * i2.length, new_routes: 2 * i2.length, ...changedRoutePathChanges(0), withdrawals: 0, implicit_withdrawals: 2 * i2.length, ...none },
      // Withdrawals for a neighbour going down (see below).
      [`${a2}|adj_rib_in_post`]: { announcements: 2 * acc2, new_routes: 2 * acc2, ...changedRoutePathChanges(0), duplicates: 0, late_events: 0 },
      ['0.0.0.0|loc_rib']: {
        new_routes: acc1 + changedWasRejected + 2 * acc2,
        ...changedRoutePathChanges(changed.length - changedWasRejected),
        withdrawals: withdrawn.length - rejected(withdrawn) + acc2,
        implicit_withdrawals: locRib.size,
        ...none,
      },
    });

    // GoBGP withdraws a neighbour's post-policy routes when it goes down (real-senders.md); each
    // is a withdrawal of a known route if it precedes the Peer Down (seen with 3.10), or of an
    // unknown one if it follows it (the Peer Down dropped the routes). Either way every accepted
    // route of n2 is withdrawn once, and dropped once more at the end of the BMP session.
    const n2post = aggregated.get(`${a2}|adj_rib_in_post`);
    assert.equal((n2post?.withdrawals ?? 0) + (n2post?.unknown_withdrawals ?? 0), acc2, `n2 post-policy: withdrawals at its Peer Down ${JSON.stringify(n2post)}`);
    assert.equal((n2post?.withdrawals ?? 0) + (n2post?.implicit_withdrawals ?? 0), 2 * acc2, `n2 post-policy: routes dropped ${JSON.stringify(n2post)}`);

    const counts = routeCounts(rm);
    t.diagnostic(`GoBGP scenario ${scenarioSeconds.toFixed(1)} s, with checks ${((Date.now() - began) / 1000).toFixed(1)} s`);
    t.diagnostic(`GoBGP: tshark ${evidence.tsharkMs} ms, reading the topics back ${evidence.kafkaMs} ms; frames with known tshark bugs: ${evidence.tsharkBugFrames}; records the consumer was handed twice: ${evidence.consumed.redelivered}; BMP streams ${evidence.stream.streams}, ${evidence.stream.bytes} octets, ${evidence.stream.duplicateBytes} captured twice (retransmissions)`);
    t.diagnostic(`GoBGP: ${evidence.dissected.length} BMP messages, ${evidence.packets.captured} packets; per type ${JSON.stringify(tshark.messagesPerType)}`);
    t.diagnostic(`GoBGP: ${tshark.routeEvents} route events equal to tshark's; ${routesCompared} routes compared in rebuilt RIB views; ${announcedChecked} distinct announced prefixes per peer and view; ${withdrawn.length} withdrawals, ${changed.length} path changes; Peer Down reason ${down.reason_code}; last stats ${lastStats.join(' ')}`);
    t.diagnostic(`GoBGP route events per peer|view|action: ${JSON.stringify(counts)}`);
    t.diagnostic(`GoBGP peer-state: ${state.inputs} input records, ${state.outputs} state records; ${peerState.peers} peers, ${peerState.views} RIB views (${peerState.statsViews} with statistics), End-of-RIB markers ${peerState.endOfRibMarkers}; flaps ${peerState.flaps}; initial dumps ${peerState.initialDump}`);
    t.diagnostic(`GoBGP route-change totals: ${totalsText(aggregated)}`);
  });
});

interface GobgpNeighbor {
  state?: { session_state?: number };
  afi_safis?: Array<{ state?: { received?: number; accepted?: number } }>;
}
