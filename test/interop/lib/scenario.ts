/**
 * Frame of an interop scenario: a private temp directory, the tracked processes, the in-process
 * collector, the loopback capture; the end of the run (capture stopped, tshark's dissection, the
 * topics read back), and the checks every router gets: the pipeline's events against tshark's
 * dissection of the same bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerUpEvent } from '../../../services/events/model.js';
import { Collector, type Consumed } from './collector.js';
import { writeCleanCapture } from './clean-capture.js';
import { assertSameMultiset, dissectedRouteKeys, eventKey } from './checks.js';
import { ProcessGroup, waitFor } from './processes.js';
import { ScenarioPeerState } from './peer-state.js';
import { asArray, dissectBmp, findAll, first, peerOf, unexplainedMalformed, LoopbackCapture, type DissectedBmp, type Tree } from './wireshark.js';

export interface Scenario {
  name: string;
  dir: string;
  group: ProcessGroup;
  collector: Collector;
  /** The peer-state service following the collector's topics from the start. */
  peerState: ScenarioPeerState;
  capture: LoopbackCapture;
  /** A random 127.X.Y.0/24 block for this run's BGP speakers: .1 the router, .2... neighbours. */
  loopbackBlock: string;
  startedAt: number;
  /** Names the step the scenario is at: reported, with the running processes, if it stalls. */
  step(name: string): void;
}

/**
 * After this long a scenario prints where it is (its tests time out at 240 s; the runner's
 * timeout report says nothing of the step that hung).
 */
const STALL_REPORT_MS = 200_000;

/** Sets up a scenario, runs `body`, and always stops every process and removes the directory. */
export async function withScenario(name: string, tcpdump: string, body: (s: Scenario) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bmp-interop-${name}-`));
  const group = new ProcessGroup(dir);
  let collector: Collector | null = null;
  let peerState: ScenarioPeerState | null = null;
  let step = 'starting the collector';
  let stepAt = Date.now();
  const stall = setTimeout(() => {
    console.error(`interop ${name}: still at step "${step}" after ${Math.round((Date.now() - stepAt) / 1000)} s; running processes:\n${group.describeRunning()}`);
  }, STALL_REPORT_MS);
  stall.unref();
  try {
    collector = await Collector.start(name);
    peerState = await ScenarioPeerState.start(collector.prefix, name);
    const capture = await LoopbackCapture.start(group, tcpdump, join(dir, 'bmp.pcap'), collector.bmpPort);
    const x = 64 + Math.floor(Math.random() * 64);
    const y = 1 + Math.floor(Math.random() * 250);
    const setStep = (next: string): void => {
      step = next;
      stepAt = Date.now();
    };
    await body({ name, dir, group, collector, peerState, capture, loopbackBlock: `127.${x}.${y}`, startedAt: Date.now(), step: setStep });
    setStep('stopping');
  } finally {
    clearTimeout(stall);
    await group.stopAll();
    await peerState?.stop();
    await collector?.stop();
    if (process.env.BMP_INTEROP_KEEP === '1') console.error(`interop ${name}: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until the collector has seen the router's BMP session end. */
export async function waitSessionClosed(s: Scenario, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => `${s.name}: BMP session still open`,
    async () => ((await s.collector.metric('bmp_sessions_total')) >= 1 && (await s.collector.metric('bmp_sessions_active')) === 0 ? true : undefined),
    timeoutMs,
  );
}

export interface Evidence {
  consumed: Consumed;
  dissected: DissectedBmp[];
  /** BMP messages per type number, as tshark counted them. */
  tsharkTypes: Record<string, number>;
  packets: { captured: number; dropped: number };
  /** The BMP streams as reassembled from the capture (what tshark dissected: see clean-capture.ts). */
  stream: { streams: number; bytes: number; duplicateBytes: number };
  /** Frames tshark called malformed because of its known bugs (see unexplainedMalformed). */
  tsharkBugFrames: number;
  /** How long tshark and reading the topics back took. */
  tsharkMs: number;
  kafkaMs: number;
}

/** Stops the capture, dissects it, and reads the topics back until they hold what tshark saw. */
export async function gatherEvidence(s: Scenario, tshark: string): Promise<Evidence> {
  s.step('stopping the capture');
  const packets = await s.capture.stop(s.group);
  assert.equal(packets.dropped, 0, 'tcpdump dropped packets: the comparison would be meaningless');
  const t0 = Date.now();
  s.step('reassembling the BMP streams');
  const clean = writeCleanCapture(s.capture.file, s.collector.bmpPort, join(s.dir, 'bmp-streams.pcap'));
  assert.equal(clean.missingBytes, 0, 'the capture lacks octets of a BMP stream: the comparison would be meaningless');
  assert.equal(clean.bytes, await s.collector.metric('bmp_bytes_total'), 'the captured BMP streams hold as many octets as the collector received');
  s.step('tshark');
  const { messages: dissected, malformed } = await dissectBmp(tshark, join(s.dir, 'bmp-streams.pcap'), s.collector.bmpPort);
  const unexplained = unexplainedMalformed(malformed);
  assert.deepEqual(
    unexplained.map((f) => `frame ${f.frame}: ${f.errors} errors in ${f.messages.map((m) => m.tree['bmp.type']).join(',')}`),
    [],
    'tshark found malformed packets that are not its known bugs',
  );
  const tsharkTypes: Record<string, number> = {};
  for (const m of dissected) tsharkTypes[String(m.tree['bmp.type'])] = (tsharkTypes[String(m.tree['bmp.type'])] ?? 0) + 1;
  const routes = dissectedRouteKeys(dissected).length;
  const t1 = Date.now();
  s.step('reading the topics back');
  const consumed = await s.collector.consume({
    route_monitoring: routes,
    stats: tsharkTypes['1'] ?? 0,
    peer_down: tsharkTypes['2'] ?? 0,
    peer_up: tsharkTypes['3'] ?? 0,
    initiation: tsharkTypes['4'] ?? 0,
    termination: tsharkTypes['5'] ?? 0,
    route_mirroring: tsharkTypes['6'] ?? 0,
  });
  const stream = { streams: clean.streams.length, bytes: clean.bytes, duplicateBytes: clean.duplicateBytes };
  return { consumed, dissected, tsharkTypes, packets, stream, tsharkBugFrames: malformed.length, tsharkMs: t1 - t0, kafkaMs: Date.now() - t1 };
}

/** What the shared comparison with tshark checked, for the report. */
export interface TsharkComparison {
  routeEvents: number;
  messagesPerType: Record<string, number>;
  peerUps: number;
  peerDowns: number;
}

/**
 * Every event the pipeline published against tshark's dissection: the same number of messages of
 * each type; route events equal as multisets on peer, RIB view, action, prefix, AS path, next hop,
 * communities, large communities, MED and LOCAL_PREF; Peer Up OPENs and Peer Down reasons equal.
 */
export function compareWithTshark(e: Evidence): TsharkComparison {
  const { consumed, dissected, tsharkTypes } = e;
  assert.equal(consumed.errors.length, 0, `errors topic: ${JSON.stringify(consumed.errors.slice(0, 3))}`);
  // Route Monitoring is compared per prefix below (an event per prefix; a message may hold several).
  const perType: Record<string, number> = {
    '1': consumed.stats.length,
    '2': consumed.peer_down.length,
    '3': consumed.peer_up.length,
    '4': consumed.initiation.length,
    '5': consumed.termination.length,
    '6': consumed.route_mirroring.length,
  };
  // An event published twice (a batch re-sent) has its own offset but the same content, sequence
  // number included; told apart here from a message tshark missed, which the multiset below shows.
  for (const topic of ['route_monitoring', 'stats', 'peer_up', 'peer_down', 'initiation', 'termination', 'route_mirroring'] as const) {
    const seen = new Set<string>();
    const twice = (consumed[topic] as unknown[]).map((ev) => JSON.stringify(ev)).filter((text) => seen.size === seen.add(text).size);
    assert.deepEqual(twice.slice(0, 3), [], `${topic}: ${twice.length} events published twice`);
  }
  for (const [type, n] of Object.entries(tsharkTypes)) if (type !== '0') assert.equal(perType[type], n, `BMP messages of type ${type}: pipeline ${perType[type]}, tshark ${n}`);
  for (const [type, n] of Object.entries(perType)) assert.equal(tsharkTypes[type] ?? 0, n, `BMP messages of type ${type}: pipeline ${n}, tshark ${tsharkTypes[type] ?? 0}`);

  assertSameMultiset(consumed.route_monitoring.map(eventKey), dissectedRouteKeys(dissected), 'route events');

  // Peer Up: in stream order, the same peer, ports and both OPENs (sent first, RFC 7854 §4.10).
  const ups = dissected.filter((m) => m.tree['bmp.type'] === '3');
  const upEvents = [...consumed.peer_up].sort((a, b) => a.sequence - b.sequence);
  ups.forEach((m, i) => {
    const ev: PeerUpEvent = upEvents[i];
    const opens = asArray(m.tree.bgp) as Tree[];
    assert.equal(ev.peer_address, peerOf(m).address, `Peer Up ${i}: peer`);
    assert.equal(ev.local_port, Number(m.tree['bmp.peer.up.port.local']), `Peer Up ${i}: local port`);
    assert.equal(ev.remote_port, Number(m.tree['bmp.peer.up.port.remote']), `Peer Up ${i}: remote port`);
    assert.equal(opens.length, 2, `Peer Up ${i}: tshark sees two OPENs`);
    assert.equal(ev.sent_open?.bgp_id, first(opens[0], 'bgp.open.identifier'), `Peer Up ${i}: sent OPEN BGP id`);
    assert.equal(ev.sent_open?.my_as, Number(first(opens[0], 'bgp.open.myas')), `Peer Up ${i}: sent OPEN AS`);
    assert.equal(ev.received_open?.bgp_id, first(opens[1], 'bgp.open.identifier'), `Peer Up ${i}: received OPEN BGP id`);
    assert.equal(ev.received_open?.my_as, Number(first(opens[1], 'bgp.open.myas')), `Peer Up ${i}: received OPEN AS`);
    assert.equal(ev.received_open?.asn, Number(findAll(opens[1], 'bgp.cap.4as')[0] ?? ev.received_open?.my_as), `Peer Up ${i}: received 4-octet AS`);
  });

  // Peer Down: in stream order, the same peer and reason.
  const downs = dissected.filter((m) => m.tree['bmp.type'] === '2');
  const downEvents = [...consumed.peer_down].sort((a, b) => a.sequence - b.sequence);
  downs.forEach((m, i) => {
    assert.equal(downEvents[i].peer_address, peerOf(m).address, `Peer Down ${i}: peer`);
    assert.equal(downEvents[i].reason_code, Number(m.tree['bmp.peer.down.reason']), `Peer Down ${i}: reason`);
  });

  // Initiation: sysName (TLV type 2) as tshark reads it.
  const init = dissected.find((m) => m.tree['bmp.type'] === '4');
  if (init) {
    const types = findAll(init.tree, 'bmp.init.type').map(String);
    const infos = findAll(init.tree, 'bmp.init.info').map(String);
    assert.equal(consumed.initiation[0]?.sys_name, infos[types.indexOf('2')], 'Initiation sysName');
  }
  return { routeEvents: consumed.route_monitoring.length, messagesPerType: { ...perType, '0': tsharkTypes['0'] ?? 0 }, peerUps: ups.length, peerDowns: downs.length };
}
