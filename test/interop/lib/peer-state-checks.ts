/**
 * Checks that the peer-state service's answer (its HTTP API at the end of a scenario) agrees with
 * what the scenario did and with the ingest topics the scenario read back.
 *
 * Two sources of expectations, kept apart: the scenario's own knowledge (which neighbours, their
 * ASNs and BGP IDs, which one flapped, how the BMP session ended, whether the router sends
 * End-of-RIB), and the topics (every Peer Up / Peer Down / Statistics Report / End-of-RIB as
 * published), from which the expected state is recomputed here independently of
 * services/peer-state/state.ts: a scenario has one BMP session, so the events' sequence numbers
 * order them (RFC 7854 gives no other order across message types).
 */
import assert from 'node:assert/strict';
import type { PeerDownEvent, PeerFields, PeerUpEvent, RouteEvent, StatsEvent } from '../../../services/events/model.js';
import { ribView } from '../../../services/kafka/avro/index.js';
import type { PeerAnswer, RouterAnswer } from '../../../services/peer-state/queries.js';
import type { Consumed } from './collector.js';

export interface MonitoredNeighbour {
  address: string;
  asn: number;
  bgpId: string;
  /** Taken down and up again by the scenario. */
  flapped: boolean;
}

export interface PeerStateExpectation {
  sysName: string;
  routerAs: number;
  routerId: string;
  routerAddress: string;
  neighbours: MonitoredNeighbour[];
  /** How the BMP session ended: a Termination message, or the router just closed it. */
  ended: 'termination' | 'closed';
  /**
   * Whether the router sends End-of-RIB in its Route Monitoring: 'never' where its behaviour says
   * so (checked: no marker on the topic, every dump in progress), 'as-sent' to follow the topic.
   */
  endOfRib: 'never' | 'as-sent';
}

/** What was checked, for the scenario's report. */
export interface PeerStateSummary {
  peers: number;
  views: number;
  statsViews: number;
  endOfRibMarkers: number;
  flaps: string;
  initialDump: string;
}

function bySequence<T extends { sequence: number }>(events: T[]): T[] {
  return [...events].sort((a, b) => a.sequence - b.sequence);
}

function last<T>(list: T[]): T | undefined {
  return list[list.length - 1];
}

export function checkPeerState(answer: { routers: RouterAnswer[]; peers: PeerAnswer[] }, consumed: Consumed, x: PeerStateExpectation): PeerStateSummary {
  // The router: one, named as the Initiation named it, its only session ended as the scenario ended it.
  assert.equal(consumed.initiation.length, 1, 'one Initiation');
  const init = consumed.initiation[0];
  assert.equal(answer.routers.length, 1, `one router in peer-state: ${answer.routers.map((r) => r.router_address).join(' ')}`);
  const router = answer.routers[0];
  assert.equal(router.router_address, init.router_address, 'peer-state router address is the events\' router address');
  assert.equal(router.sys_name, x.sysName, 'peer-state sysName');
  assert.equal(router.sys_name, init.sys_name, 'peer-state sysName is the Initiation\'s');
  assert.equal(router.sys_descr, init.sys_descr, 'peer-state sysDescr is the Initiation\'s');
  assert.equal(router.session_count, 1, 'one BMP session');
  assert.equal(router.connected, false, 'router disconnected at the end');
  assert.ok(router.disconnect_reason !== null && router.disconnect_reason.length > 0, `disconnect reason: ${router.disconnect_reason}`);
  assert.ok(router.end_at !== null && router.end_order !== null, 'end of the session recorded');
  const routerEvents = consumed.router.map((r) => r.event);
  assert.equal(routerEvents.filter((e) => e === 'connected').length, 1, `router records ${routerEvents.join(' ')}`);
  assert.equal(routerEvents.filter((e) => e === 'disconnected').length, 1, `router records ${routerEvents.join(' ')}`);
  assert.equal(consumed.termination.length, x.ended === 'termination' ? 1 : 0, `Terminations on the topic (session ${x.ended})`);
  assert.equal(routerEvents.includes('terminated'), x.ended === 'termination', `router records ${routerEvents.join(' ')} (session ${x.ended})`);
  assert.equal(router.peers, x.neighbours.length, 'peer count of the router');
  assert.equal(router.peers_up, x.neighbours.length, 'every neighbour up at the end');
  // The BMP session ended after every Peer Up: what is known of each peer is its last known state.
  assert.equal(router.peers_stale, x.neighbours.length, 'every peer stale after the session ended');

  // The peers: exactly the monitored neighbours (global instance peers), and exactly the peers of
  // the peer-state input events on the topics.
  const eors = consumed.route_monitoring.filter((e) => e.action === 'end_of_rib');
  const inputs: PeerFields[] = [...consumed.peer_up, ...consumed.peer_down, ...consumed.stats, ...eors];
  const topicPeers = [...new Set(inputs.map((e) => `${e.router_address}|${e.peer_type_code}|${e.peer_distinguisher}|${e.peer_address}`))].sort();
  assert.deepEqual(answer.peers.map((p) => p.key).sort(), topicPeers, 'peer-state peers are the peers of the topics');
  assert.deepEqual(
    answer.peers.map((p) => p.key).sort(),
    x.neighbours.map((n) => `${init.router_address}|0|0:0|${n.address}`).sort(),
    'peer-state peers are the monitored neighbours',
  );
  if (x.endOfRib === 'never') assert.equal(eors.length, 0, 'no End-of-RIB on the topic');

  let views = 0;
  let statsViews = 0;
  const flaps: string[] = [];
  const dumps: string[] = [];
  for (const n of x.neighbours) {
    const p = answer.peers.find((q) => q.peer_address === n.address) as PeerAnswer;
    const what = `peer-state ${n.address}`;
    const of = <T extends PeerFields>(list: T[]): T[] => list.filter((e) => e.peer_address === n.address && e.peer_type_code === 0);
    const ups: PeerUpEvent[] = bySequence(of(consumed.peer_up));
    const downs: PeerDownEvent[] = bySequence(of(consumed.peer_down));
    const lastUp = last(ups) as PeerUpEvent;
    assert.ok(lastUp !== undefined, `${what}: a Peer Up on the topic`);

    // Identity: the scenario's ASN and BGP ID, in the per-peer header and the session's OPENs.
    assert.equal(p.peer_type, 'global', `${what}: peer type`);
    assert.equal(p.peer_as, n.asn, `${what}: peer AS`);
    assert.equal(p.peer_bgp_id, n.bgpId, `${what}: peer BGP ID`);
    assert.equal(p.table_name, null, `${what}: no table name`);

    // Status: up (every neighbour is established when the scenario ends), since its last Peer Up.
    assert.equal(p.status, 'up', `${what}: status`);
    assert.ok(p.since !== null && p.up_order !== null && p.up_order.sequence === lastUp.sequence, `${what}: up since the last Peer Up (sequence ${lastUp.sequence}, state ${JSON.stringify(p.up_order)})`);
    assert.ok(lastUp.sequence > (last(downs)?.sequence ?? -1), `${what}: the topic ends with a Peer Up`);
    assert.equal(p.stale, true, `${what}: stale after the BMP session ended`);
    assert.equal(p.stale_since, router.end_at, `${what}: stale since the session's end`);

    // Flaps: every Peer Down of the topic counts (FRR's Peer Downs before any Peer Up as well).
    assert.equal(p.flap_count, downs.length, `${what}: flap count = Peer Downs on the topic`);
    const downsAfterUp = downs.filter((d) => d.sequence > ups[0].sequence);
    if (n.flapped) assert.ok(downsAfterUp.length >= 1 && p.flap_count >= 1, `${what}: flapped, ${p.flap_count} flaps`);
    else assert.equal(downsAfterUp.length, 0, `${what}: never went down once up`);
    const lastDown = last(downs);
    if (lastDown === undefined) {
      assert.equal(p.last_down, null, `${what}: no last Peer Down`);
    } else {
      const d = p.last_down;
      assert.ok(d !== null, `${what}: last Peer Down recorded`);
      assert.deepEqual(
        { reason_code: d.reason_code, reason: d.reason, notification_code: d.notification_code, notification_subcode: d.notification_subcode, notification: d.notification, fsm_event_code: d.fsm_event_code },
        {
          reason_code: lastDown.reason_code,
          reason: lastDown.reason,
          notification_code: lastDown.notification_code,
          notification_subcode: lastDown.notification_subcode,
          notification: lastDown.notification,
          fsm_event_code: lastDown.fsm_event_code,
        },
        `${what}: last_down is the topic's last Peer Down`,
      );
    }
    flaps.push(`${n.address} ${p.flap_count} (last reason ${p.last_down?.reason_code ?? '-'})`);

    // Session: the last Peer Up's, with the scenario's speakers.
    const s = p.session;
    assert.ok(s !== null, `${what}: session`);
    assert.deepEqual(
      {
        local_address: s.local_address,
        local_port: s.local_port,
        remote_port: s.remote_port,
        local_asn: s.local_asn,
        remote_asn: s.remote_asn,
        local_bgp_id: s.local_bgp_id,
        remote_bgp_id: s.remote_bgp_id,
        four_octet_as: s.four_octet_as,
        families: [...s.families].sort(),
      },
      {
        local_address: x.routerAddress,
        local_port: lastUp.local_port,
        remote_port: lastUp.remote_port,
        local_asn: x.routerAs,
        remote_asn: n.asn,
        local_bgp_id: x.routerId,
        remote_bgp_id: n.bgpId,
        four_octet_as: true,
        families: ['ipv4_unicast', 'ipv6_unicast'],
      },
      `${what}: session of the last Peer Up`,
    );
    // RFC 4271 §4.2: the smaller Hold Time of the two OPENs.
    assert.equal(s.hold_time, Math.min(lastUp.sent_open?.hold_time ?? NaN, lastUp.received_open?.hold_time ?? NaN), `${what}: hold time`);

    // RIB views: those of the peer's events; End-of-RIB markers since the last Peer Up, the
    // initial dump done once every negotiated family has one; the last Statistics Report.
    const mine = (e: PeerFields): boolean => e.peer_address === n.address && e.peer_type_code === 0;
    const peerEvents: PeerFields[] = inputs.filter(mine);
    const wantViews = [...new Set(peerEvents.map((e) => ribView(e)))].sort();
    assert.deepEqual(p.views.map((v) => v.view), wantViews, `${what}: RIB views`);
    for (const v of p.views) {
      views++;
      const inView = (e: PeerFields): boolean => ribView(e) === v.view;
      const markers = bySequence(eors.filter((e) => mine(e) && inView(e) && e.sequence > lastUp.sequence)) as RouteEvent[];
      const families = [...new Set(markers.map((e) => e.family))].sort();
      assert.deepEqual(v.end_of_rib.map((e) => e.family), families, `${what} ${v.view}: End-of-RIB families since the last Peer Up`);
      const done: boolean = s.families.every((f) => families.includes(f));
      assert.equal(v.initial_dump, done ? 'done' : 'in_progress', `${what} ${v.view}: initial dump`);
      if (x.endOfRib === 'never') assert.equal(v.initial_dump, 'in_progress', `${what} ${v.view}: no End-of-RIB, dump never done`);
      dumps.push(`${n.address} ${v.view} ${v.initial_dump}${families.length > 0 ? ` (${families.join(',')})` : ''}`);

      const reports = bySequence((consumed.stats as StatsEvent[]).filter((e) => mine(e) && inView(e)));
      const lastReport = last(reports);
      if (lastReport === undefined) {
        assert.equal(v.stats_at, null, `${what} ${v.view}: no statistics`);
        assert.deepEqual(v.stats, [], `${what} ${v.view}: no statistics`);
        continue;
      }
      statsViews++;
      assert.equal(v.stats_order?.sequence, lastReport.sequence, `${what} ${v.view}: statistics of the last report`);
      assert.deepEqual(
        v.stats.map((st) => [st.type, st.afi, st.safi, st.value]),
        lastReport.stats.map((st) => [st.type, st.afi, st.safi, st.value]),
        `${what} ${v.view}: statistics values of the last report`,
      );
    }
    // The router sent statistics for every neighbour in both scenarios: they must be in the state.
    assert.ok(p.views.some((v) => v.stats.length > 0), `${what}: statistics present`);
  }
  return { peers: answer.peers.length, views, statsViews, endOfRibMarkers: eors.length, flaps: flaps.join('; '), initialDump: dumps.join('; ') };
}
