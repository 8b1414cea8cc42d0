/**
 * FRR as the monitored router (`bgpd -M bmp`), sending BMP to the ingest service (issue
 * "Interop: real routers send BMP to the pipeline in the test suite, checked against Wireshark").
 *
 * bgpd runs without zebra (-Z) on a loopback address, with the same two exabgp neighbours as the
 * GoBGP scenario (eBGP with a 4-octet AS, iBGP) and the same routes; an inbound route-map denies
 * routes with community 65000:666. `soft-reconfiguration inbound` keeps the Adj-RIB-In that
 * pre-policy monitoring reports from (without it FRR 8.4 reports every pre-policy route as
 * withdrawn). BMP: pre-policy, post-policy, route mirroring, statistics every second (FRR 8.4
 * has no Loc-RIB monitoring). Then the eBGP neighbour changes some paths and withdraws some
 * routes, the iBGP neighbour is shut down and re-enabled on the router, and the BMP target is
 * removed (FRR sends no Termination: the session just closes).
 *
 * Checked: Initiation with sysName; FRR's Peer Down per configured neighbour when the BMP session
 * starts (before any Peer Up); a Peer Up per neighbour session with both OPENs; every RIB view
 * rebuilt from the events equals what the policy accepted (FRR reports rejected routes as
 * withdrawn in pre-policy too); withdrawals and path changes; the flap's Peer Down and reason;
 * statistics; mirrored messages; every event equal to tshark's dissection of the same message.
 * The peer-state service, run on the same topics, ends in the state the scenario left (peers,
 * ASNs, BGP IDs, status, flaps and last Peer Down, sysName, session ended, End-of-RIB, statistics);
 * the route-change aggregates equal a replay of the topic and the scenario's own counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RouteEvent } from '../../services/events/model.js';
import { freePorts } from '../helpers/ports.js';
import { requireTools } from './lib/tools.js';
import { ExabgpNeighbour } from './lib/exabgp.js';
import { waitFor, type Tracked } from './lib/processes.js';
import { changedRoute, initialRoutes, rejectedByPolicy, REJECT_COMMUNITY, tableOf, type NeighbourPlan, type Route } from './lib/routes.js';
import { assertAnnouncedPrefixes, assertTable, peerSessions, rebuildTables, routeCounts, viewOf } from './lib/checks.js';
import { compareWithTshark, gatherEvidence, waitSessionClosed, withScenario } from './lib/scenario.js';
import { checkPeerState } from './lib/peer-state-checks.js';
import { assertScenarioTotals, assertTotalsAgree, replayTotals, routeChangeRecords, totalsByPeerView, totalsText, changedRoutePathChanges } from './lib/route-changes.js';
import { asArray, peerOf, type Tree } from './lib/wireshark.js';

const run = promisify(execFile);
const ROUTER_AS = 65000;
const ROUTER_ID = '192.0.2.100';
const SYS_NAME = 'interop-frr';

const plans: NeighbourPlan[] = [
  { index: 1, asn: 4200000001, ibgp: false, ipv4: 1500, ipv6: 500 },
  { index: 2, asn: ROUTER_AS, ibgp: true, ipv4: 1000, ipv6: 500 },
];

function bgpdConfig(o: { bmpPort: number; routerAddress: string; neighbours: Array<{ address: string; asn: number; name: string }> }): string {
  const per = (f: (n: { address: string; asn: number; name: string }) => string): string => o.neighbours.map(f).join('');
  const families = ['ipv4', 'ipv6']
    .map(
      (afi) => ` address-family ${afi} unicast
${per((n) => `  neighbor ${n.address} activate\n  neighbor ${n.address} route-map IN in\n  neighbor ${n.address} soft-reconfiguration inbound\n`)} exit-address-family
`,
    )
    .join('');
  return `hostname ${SYS_NAME}
log stdout informational
bgp community-list standard marked seq 5 permit ${REJECT_COMMUNITY}
route-map IN deny 10
 match community marked
route-map IN permit 20
router bgp ${ROUTER_AS}
 bgp router-id ${ROUTER_ID}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
${per(
  (n) => ` neighbor ${n.address} remote-as ${n.asn}
 neighbor ${n.address} description ${n.name}
 neighbor ${n.address} disable-connected-check
 neighbor ${n.address} update-source ${o.routerAddress}
 neighbor ${n.address} passive
`,
)}${families} bmp targets collector
  bmp connect 127.0.0.1 port ${o.bmpPort} min-retry 100 max-retry 1000
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv4 unicast post-policy
  bmp monitor ipv6 unicast pre-policy
  bmp monitor ipv6 unicast post-policy
  bmp mirror
  bmp stats interval 1000
 exit
`;
}

test('FRR sends BMP (pre-policy, post-policy, mirroring, stats) to the pipeline; events match tshark', { timeout: 240_000 }, async (t) => {
  const { paths, versions } = requireTools(['bgpd', 'vtysh', 'exabgp', 'tcpdump', 'tshark']);
  t.diagnostic(`FRR bgpd ${versions.bgpd}, exabgp ${versions.exabgp}, tcpdump ${versions.tcpdump}, tshark ${versions.tshark}`);
  const began = Date.now();
  let bgpdPid: number | null = null;

  try {
    await withScenario('frr', paths.tcpdump, async (s) => {
      const [bgpPort] = await freePorts(1);
      const routerAddress = `${s.loopbackBlock}.1`;
      const vtyDir = join(s.dir, 'vty');
      mkdirSync(vtyDir);
      const vtysh = async (...commands: string[]): Promise<string> =>
        (await run(paths.vtysh, ['--vty_socket', vtyDir, ...commands.flatMap((c) => ['-c', c])], { timeout: 20_000 })).stdout;

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
      const config = join(s.dir, 'bgpd.conf');
      writeFileSync(config, bgpdConfig({ bmpPort: s.collector.bmpPort, routerAddress, neighbours: neighbours.map((n, i) => ({ address: n.address, asn: plans[i].asn, name: `n${i + 1}` })) }));
      // -S: no privilege changes (root); -Z: no zebra; -n: no kernel routes; -P 0: no vty TCP port.
      const bgpd: Tracked = s.group.start('bgpd', paths.bgpd, [
        '-f', config, '-M', 'bmp', '-S', '-Z', '-n', '-p', String(bgpPort), '-l', routerAddress, '-P', '0', '-i', join(s.dir, 'bgpd.pid'), '--vty_socket', vtyDir,
      ]);
      bgpdPid = bgpd.pid;
      // FRR's Peer Downs "without Peer Up" come when the BMP session starts: wait for it first,
      // so that they precede the neighbours' sessions in every run.
      await waitFor(() => `bgpd did not connect to the collector: ${bgpd.output().slice(-2000)}`, async () => ((await s.collector.metric('bmp_messages_total', /type="initiation"/)) > 0 ? true : undefined), 30_000);

      const current = plans.map((plan) => tableOf(initialRoutes(plan)));
      const accepted = (i: number): Route[] => [...current[i].values()].filter((r) => !rejectedByPolicy(r));

      /** Waits until bgpd has accepted exactly what the policy lets through from each neighbour. */
      const converged = async (what: string): Promise<void> => {
        let last = '';
        s.step(`waiting for convergence: ${what}`);
        await waitFor(
          () => `${what}: bgpd state ${last}; ${bgpd.output().slice(-1500)}`,
          async () => {
            const v4 = JSON.parse(await vtysh('show bgp ipv4 unicast summary json')) as FrrSummary;
            const v6 = JSON.parse(await vtysh('show bgp ipv6 unicast summary json')) as FrrSummary;
            const state = neighbours.map((n) => ({ v4: v4.peers?.[n.address], v6: v6.peers?.[n.address] }));
            last = JSON.stringify(state.map((x) => [x.v4?.state, x.v4?.pfxRcd, x.v6?.pfxRcd]));
            const ok = state.every((x, i) => {
              const want = accepted(i);
              return x.v4?.state === 'Established' && x.v4.pfxRcd === want.filter((r) => !r.prefix.includes(':')).length && x.v6?.pfxRcd === want.filter((r) => r.prefix.includes(':')).length;
            });
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

      // 2. Path changes and withdrawals from the eBGP neighbour (as in the GoBGP scenario).
      const n1 = [...current[0].values()];
      const changed = [...n1.slice(100, 300), ...n1.filter((r) => r.prefix.includes(':')).slice(100, 150)].map((r) => changedRoute(r, plans[0]));
      const withdrawn = [...n1.slice(1000, 1200), ...n1.filter((r) => r.prefix.includes(':')).slice(400, 450)];
      await neighbours[0].announce(changed);
      for (const r of changed) current[0].set(r.prefix, r);
      await neighbours[0].withdraw(withdrawn);
      for (const r of withdrawn) current[0].delete(r.prefix);
      await converged('path changes and withdrawals');

      // 3. The iBGP neighbour shut down on the router and enabled again.
      const n2 = neighbours[1].address;
      await vtysh('configure terminal', `router bgp ${ROUTER_AS}`, `neighbor ${n2} shutdown`);
      await waitFor(
        () => `${n2} still established`,
        async () => ((JSON.parse(await vtysh('show bgp ipv4 unicast summary json')) as FrrSummary).peers?.[n2]?.state !== 'Established' ? true : undefined),
        20_000,
      );
      await vtysh('configure terminal', `router bgp ${ROUTER_AS}`, `no neighbor ${n2} shutdown`);
      await converged('neighbour 2 back up');
      // Statistics come every second; make sure a report follows the last convergence.
      const statsBefore = await s.collector.metric('bmp_messages_total', /type="stats"/);
      await waitFor(() => 'no statistics after convergence', async () => ((await s.collector.metric('bmp_messages_total', /type="stats"/)) > statsBefore + 2 ? true : undefined), 20_000);

      // 4. The BMP target removed: FRR closes the session (no Termination in 8.4).
      await vtysh('configure terminal', `router bgp ${ROUTER_AS}`, 'no bmp targets collector');
      s.step('waiting for the BMP session to close');
      await waitSessionClosed(s);
      const scenarioSeconds = (Date.now() - began) / 1000;
      s.step('stopping the routers');
      for (const n of neighbours) await n.stop(s.group);
      await s.group.stop(bgpd);

      // 5. Evidence and checks.
      const evidence = await gatherEvidence(s, paths.tshark);
      const { consumed } = evidence;
      const tshark = compareWithTshark(evidence);

      assert.equal(consumed.initiation.length, 1, 'one Initiation');
      assert.equal(consumed.initiation[0].sys_name, SYS_NAME);
      assert.match(consumed.initiation[0].sys_descr ?? '', /FRRouting/);
      assert.equal(consumed.termination.length, 0, 'FRR 8.4 sends no Termination');

      // Sessions per neighbour: n1 up once; n2 up, down at the shutdown, up again. Each Peer Up
      // with both OPENs.
      const sessions = neighbours.map((n) => peerSessions(consumed, n.address));
      assert.equal(sessions[0].ups.length, 1, 'n1: one session');
      assert.ok(sessions[1].ups.length >= 2, `n2: a session after the shutdown (${sessions[1].ups.length} Peer Ups)`);
      sessions.forEach(({ ups }, i) => {
        for (const up of ups) {
          assert.equal(up.sent_open?.asn, ROUTER_AS);
          assert.equal(up.sent_open?.bgp_id, ROUTER_ID);
          assert.equal(up.received_open?.asn, plans[i].asn);
          assert.equal(up.received_open?.bgp_id, `192.0.2.${plans[i].index}`);
          assert.equal(up.four_octet_as, true);
          assert.deepEqual([...up.families].sort(), ['ipv4_unicast', 'ipv6_unicast']);
          assert.equal(up.local_address, routerAddress);
          assert.deepEqual(up.strings, [`n${i + 1}`], 'FRR puts the neighbour description in an information TLV');
        }
      });

      // Peer Downs: FRR's one per neighbour as the BMP session starts (reason 2, before any Peer
      // Up), then n2's at the shutdown.
      const downs = [...consumed.peer_down].sort((a, b) => a.sequence - b.sequence);
      const firstUp = Math.min(...consumed.peer_up.map((u) => u.sequence));
      const early = downs.filter((d) => d.sequence < firstUp);
      assert.deepEqual(early.map((d) => d.peer_address).sort(), neighbours.map((n) => n.address).sort(), 'a Peer Down per neighbour before any Peer Up');
      for (const d of early) assert.equal(d.reason_code, 2, `early Peer Down of ${d.peer_address}: reason ${d.reason}`);
      // FRR sends a Cease/administrative shutdown NOTIFICATION; it reports reason 1 (local
      // NOTIFICATION) or, as with `clear bgp`, reason 2 (observed with 8.4.4).
      const shutdown = sessions[1].downs[0];
      assert.ok([1, 2].includes(shutdown.reason_code), `shutdown Peer Down reason ${shutdown.reason_code} (${shutdown.reason})`);
      const sessionText = sessions.map((x, i) => `n${i + 1}: ${x.ups.length} up, ${x.downs.length} down (${x.downs.map((d) => d.reason_code).join(',')})`).join('; ');

      // Statistics every second per peer, with FRR's usual types.
      for (const n of neighbours) {
        const reports = consumed.stats.filter((r) => r.peer_address === n.address);
        assert.ok(reports.length >= 3, `stats for ${n.address}: ${reports.length}`);
        const types = new Set(reports.flatMap((r) => r.stats.map((x) => x.type)));
        for (const type of [0, 2, 3, 4, 5, 11]) assert.ok(types.has(type), `stat type ${type} from ${n.address}: ${[...types]}`);
      }
      const n1Rejected = Math.max(...consumed.stats.filter((r) => r.peer_address === neighbours[0].address).flatMap((r) => r.stats.filter((x) => x.type === 0).map((x) => x.value)));
      assert.ok(n1Rejected > 0, 'n1: prefixes rejected by inbound policy counted');

      // Route mirroring: the neighbours' messages, UPDATEs among them.
      for (const n of neighbours) {
        const mirrored = consumed.route_mirroring.filter((m) => m.peer_address === n.address);
        assert.ok(mirrored.filter((m) => m.bgp_message_type === 'UPDATE').length >= 10, `mirrored UPDATEs from ${n.address}`);
      }
      const dissectedMirrors = evidence.dissected.filter((m) => m.tree['bmp.type'] === '6');
      const mirrorEvents = [...consumed.route_mirroring].sort((a, b) => a.sequence - b.sequence);
      // tshark 4.0 does not dissect the Route Mirroring TLVs (RFC 7854 §4.7): it hands the whole
      // body to the BGP dissector, which shows the 4-byte TLV header as a "continuation" and then
      // finds the mirrored message at its marker. The message itself is dissected correctly.
      const BGP_TYPES: Record<string, string> = { '1': 'OPEN', '2': 'UPDATE', '3': 'NOTIFICATION', '4': 'KEEPALIVE' };
      dissectedMirrors.forEach((m, i) => {
        const bgp = (asArray(m.tree.bgp) as Tree[]).find((b) => b['bgp.length'] !== undefined);
        assert.equal(mirrorEvents[i].peer_address, peerOf(m).address, `mirrored message ${i}: peer`);
        assert.equal(mirrorEvents[i].bgp_message_type, BGP_TYPES[String(bgp?.['bgp.type'])], `mirrored message ${i}: BGP type as tshark reads it`);
        assert.equal(mirrorEvents[i].bgp_message?.length ?? 0, Number(bgp?.['bgp.length'] ?? 0), `mirrored message ${i}: BGP length as tshark reads it`);
      });

      // RIB views rebuilt from the events: FRR reports routes its inbound policy rejects as
      // withdrawn in pre-policy too, so both views hold the accepted routes. FRR 8.4 also
      // re-encodes routes from an eBGP neighbour with its own AS prepended to the AS path, in
      // pre- and post-policy alike (the attributes as it would advertise them to that peer):
      // tshark's dissection above shows the same bytes, and exabgp's log shows the path it sent.
      const reported = (i: number): Route[] => accepted(i).map((r) => (plans[i].ibgp ? r : { ...r, asPath: [ROUTER_AS, ...r.asPath] }));
      const tables = rebuildTables(consumed);
      let routesCompared = 0;
      for (let i = 0; i < neighbours.length; i++) {
        const a = neighbours[i].address;
        routesCompared += assertTable(tables.get(`${a}|pre`), tableOf(reported(i)), `n${i + 1} pre-policy`);
        routesCompared += assertTable(tables.get(`${a}|post`), tableOf(reported(i)), `n${i + 1} post-policy`);
      }

      const rm = consumed.route_monitoring;
      const byPrefix = new Map<string, RouteEvent[]>();
      for (const e of rm) if (e.prefix !== null) byPrefix.set(e.prefix, [...(byPrefix.get(e.prefix) ?? []), e]);
      const original = tableOf(initialRoutes(plans[0]));
      for (const r of withdrawn) {
        const views = new Set((byPrefix.get(r.prefix) ?? []).filter((e) => e.action === 'withdraw').map(viewOf));
        for (const v of ['pre', 'post'] as const) assert.ok(views.has(v), `withdrawal of ${r.prefix} in ${v}: ${[...views]}`);
      }
      for (const r of changed) {
        const post = (byPrefix.get(r.prefix) ?? []).filter((e) => viewOf(e) === 'post' && e.action === 'announce');
        const meds = new Set(post.map((e) => e.med));
        const was = original.get(r.prefix) as Route;
        assert.ok(meds.has(7777) && (rejectedByPolicy(was) || meds.has(was.med)), `post-policy path change of ${r.prefix}: MEDs ${[...meds]}`);
      }

      // Distinct prefixes announced per peer and view over the session: what the policy accepted
      // at some point, in both views (rejected routes only ever appear as withdrawals).
      let announcedChecked = 0;
      for (let i = 0; i < neighbours.length; i++) {
        const ever = new Set([...initialRoutes(plans[i]).filter((r) => !rejectedByPolicy(r)).map((r) => r.prefix), ...(i === 0 ? changed.map((r) => r.prefix) : [])]);
        for (const v of ['pre', 'post'] as const) announcedChecked += assertAnnouncedPrefixes(rm, neighbours[i].address, v, ever, `n${i + 1} ${v}-policy`);
      }

      // The peer-state service's state at the end: the neighbours as the scenario left them (n2
      // up again after its shutdown), the router as the closed session left it.
      s.step('peer-state checks');
      const state = await s.peerState.settled(consumed);
      const peerState = checkPeerState(state, consumed, {
        sysName: SYS_NAME,
        routerAs: ROUTER_AS,
        routerId: ROUTER_ID,
        routerAddress,
        neighbours: neighbours.map((n, i) => ({ address: n.address, asn: plans[i].asn, bgpId: `192.0.2.${plans[i].index}`, flapped: i === 1 })),
        ended: 'closed',
        endOfRib: 'as-sent',
      });

      // Route-change aggregates: equal to a replay of the topic, and to what the scenario did.
      const aggregated = totalsByPeerView(routeChangeRecords(consumed));
      assertTotalsAgree(aggregated, replayTotals(consumed));
      const rejected = (routes: Route[]): number => routes.filter(rejectedByPolicy).length;
      const i1 = initialRoutes(plans[0]);
      const i2 = initialRoutes(plans[1]);
      const changedWasRejected = changed.filter((r) => rejectedByPolicy(original.get(r.prefix) as Route)).length;
      const acc1 = i1.length - rejected(i1);
      const acc2 = i2.length - rejected(i2);
      const [a1, a2] = neighbours.map((n) => n.address);
      // Duplicates: FRR resends unchanged routes (real-senders.md). In six runs n1's 1698 routes
      // held late in the scenario were resent once each, n2's 1447 in five runs but only 289 in
      // another: how many, and when, is not under the test's control, so they are counted as
      // duplicates, equal to the replay's count above, and not predicted (announcements are new
      // routes + path changes + duplicates).
      // Unknown withdrawals: FRR sends every prefix its inbound policy rejects as a withdrawal in
      // both views (real-senders.md), at least once per session: at least the rejected prefixes.
      const n1View = {
        new_routes: acc1 + changedWasRejected,
        ...changedRoutePathChanges(changed.length - changedWasRejected),
        withdrawals: withdrawn.length - rejected(withdrawn),
        implicit_withdrawals: accepted(0).length,
        late_events: 0,
      };
      // n2's sessions: normally two (FRR once reported a third Peer Up, see peerSessions), each
      // announcing its accepted routes anew.
      const n2Sessions = sessions[1].ups.length;
      const n2View = { new_routes: n2Sessions * acc2, ...changedRoutePathChanges(0), late_events: 0 };
      assertScenarioTotals(
        aggregated,
        { [`${a1}|adj_rib_in_pre`]: n1View, [`${a1}|adj_rib_in_post`]: n1View, [`${a2}|adj_rib_in_pre`]: n2View, [`${a2}|adj_rib_in_post`]: n2View },
        {
          [`${a1}|adj_rib_in_pre`]: { unknown_withdrawals: rejected(i1) },
          [`${a1}|adj_rib_in_post`]: { unknown_withdrawals: rejected(i1) },
        },
      );
      // n2 at its shutdown: FRR withdraws the neighbour's routes in both views after the Peer Down
      // (seen with 8.4.4), so they are unknown withdrawals there, the Peer Down having dropped
      // them (implicit); were they to precede it they would be known withdrawals instead. Either
      // way, its accepted routes are dropped once per session (its ends, the end of the BMP
      // session), and withdrawn once per ended session, besides the rejected prefixes' withdrawals:
      // at least once each over the sessions, not always again in the next session (seen: 1597
      // and 1548 withdrawals for 1447 accepted and 53 rejected prefixes in two runs).
      for (const v of ['adj_rib_in_pre', 'adj_rib_in_post']) {
        const n2 = aggregated.get(`${a2}|${v}`);
        const w = n2?.withdrawals ?? 0;
        assert.equal(w + (n2?.implicit_withdrawals ?? 0), n2Sessions * acc2, `n2 ${v}: routes dropped ${JSON.stringify(n2)}`);
        assert.ok(w + (n2?.unknown_withdrawals ?? 0) >= (n2Sessions - 1) * acc2 + rejected(i2), `n2 ${v}: withdrawals ${JSON.stringify(n2)}`);
      }

      t.diagnostic(`FRR scenario ${scenarioSeconds.toFixed(1)} s, with checks ${((Date.now() - began) / 1000).toFixed(1)} s`);
      t.diagnostic(`FRR: tshark ${evidence.tsharkMs} ms, reading the topics back ${evidence.kafkaMs} ms; frames with known tshark bugs: ${evidence.tsharkBugFrames}; records the consumer was handed twice: ${evidence.consumed.redelivered}; BMP streams ${evidence.stream.streams}, ${evidence.stream.bytes} octets, ${evidence.stream.duplicateBytes} captured twice (retransmissions)`);
      t.diagnostic(`FRR: ${evidence.dissected.length} BMP messages, ${evidence.packets.captured} packets; per type ${JSON.stringify(tshark.messagesPerType)}`);
      t.diagnostic(`FRR: ${tshark.routeEvents} route events equal to tshark's; ${routesCompared} routes compared in rebuilt RIB views; ${announcedChecked} distinct announced prefixes per peer and view; ${withdrawn.length} withdrawals, ${changed.length} path changes; sessions ${sessionText}; early Peer Downs ${early.length}; max rejected stat n1 ${n1Rejected}`);
      t.diagnostic(`FRR route events per peer|view|action: ${JSON.stringify(routeCounts(rm))}`);
      t.diagnostic(`FRR peer-state: ${state.inputs} input records, ${state.outputs} state records; ${peerState.peers} peers, ${peerState.views} RIB views (${peerState.statsViews} with statistics), End-of-RIB markers ${peerState.endOfRibMarkers}; flaps ${peerState.flaps}; initial dumps ${peerState.initialDump}`);
      t.diagnostic(`FRR route-change totals: ${totalsText(aggregated)}`);
    });
  } finally {
    // bgpd leaves /var/tmp/frr/bgpd.<pid>/ behind (crash-log directory); it is ours by PID.
    if (bgpdPid !== null) rmSync(`/var/tmp/frr/bgpd.${bgpdPid}`, { recursive: true, force: true });
  }
});

interface FrrSummary {
  peers?: Record<string, { state?: string; pfxRcd?: number }>;
}
