/**
 * The independent view of the same traffic: tcpdump captures the router -> collector BMP session
 * on the loopback interface, and tshark (Wireshark's dissectors) decodes the capture. The test
 * compares what the pipeline published with what tshark shows, message for message.
 *
 * tshark's JSON (`-T json --no-duplicate-keys`, so repeated fields become arrays) is read one
 * packet at a time: a capture of a few thousand routes in three RIB views is over 100 MB of JSON.
 */
import { spawn } from 'node:child_process';
import type { ProcessGroup, Tracked } from './processes.js';
import { waitFor } from './processes.js';

export class LoopbackCapture {
  private constructor(
    private readonly process: Tracked,
    readonly file: string,
  ) {}

  /** Starts tcpdump on `lo` for TCP port `port`; resolves once it is listening. */
  static async start(group: ProcessGroup, tcpdump: string, file: string, port: number): Promise<LoopbackCapture> {
    // -B: a large kernel buffer (KiB), so that bursts of thousands of messages on a busy machine
    // are not dropped (--immediate-mode, a wake-up per packet, dropped some: it is not used; see
    // stop() for the price). -U: write each packet at once; -Z root: keep writing to the test's
    // private directory.
    const process = group.start('tcpdump', tcpdump, ['-i', 'lo', '-n', '-U', '-B', '131072', '-s', '0', '-Z', 'root', '-w', file, `tcp port ${port}`]);
    await waitFor(() => `tcpdump did not start listening: ${process.output()}`, () => (/listening on lo/.test(process.output()) ? true : undefined), 15_000, 100);
    return new LoopbackCapture(process, file);
  }

  /** Stops the capture; returns tcpdump's counts ("N packets captured", "N packets dropped by kernel"). */
  async stop(group: ProcessGroup): Promise<{ captured: number; dropped: number }> {
    // libpcap hands packets over in kernel ring blocks, retired when full or after its 1 s
    // timeout; a capture stopped sooner after a quiet spell would lack the session's last
    // packets (the final statistics, Termination, FIN). Wait for the block to be retired.
    await new Promise((r) => setTimeout(r, 2500));
    await group.stop(this.process, 'SIGINT');
    const out = this.process.output();
    return {
      captured: Number(/(\d+) packets? captured/.exec(out)?.[1] ?? NaN),
      dropped: Number(/(\d+) packets? dropped by kernel/.exec(out)?.[1] ?? NaN),
    };
  }
}

/** A JSON object of tshark's output tree. */
export type Tree = { [key: string]: unknown };

/** One BMP message as tshark dissected it, in stream order. */
export interface DissectedBmp {
  frame: number;
  tree: Tree;
}

/**
 * Runs tshark on `pcap` with TCP port `port` decoded as BMP; returns every BMP message of the
 * capture in order. Fails on tshark errors.
 */
export async function dissectBmp(tshark: string, pcap: string, port: number): Promise<{ messages: DissectedBmp[]; malformed: MalformedFrame[] }> {
  // gui.max_tree_depth: every BMP message of a TCP segment adds protocol layers to the packet
  // (BMP, BGP); past 500 of them (the default) tshark 4.0 stops with "Dissector bug ... failed
  // assertion saved_layers_len < prefs.gui_max_tree_depth", loses the message that continues in
  // the next segment and its framing after it. Loopback segments of 64 KiB hold ~500 messages.
  const child = spawn(tshark, ['-r', pcap, '-n', '-o', 'gui.max_tree_depth:100000', '-d', `tcp.port==${port},bmp`, '-T', 'json', '--no-duplicate-keys', '-J', 'frame bmp'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const messages: DissectedBmp[] = [];
  const malformed: MalformedFrame[] = [];
  const take = (text: string): void => {
    const layers = (JSON.parse(text) as { _source: { layers: Tree } })._source.layers;
    const frame = Number((layers.frame as Tree | undefined)?.['frame.number'] ?? messages.length);
    const inFrame = asArray(layers.bmp).map((tree) => ({ frame, tree: tree as Tree }));
    messages.push(...inFrame);
    const errors = asArray(layers['_ws.malformed']).length;
    if (errors > 0) malformed.push({ frame, errors, messages: inFrame });
  };
  // tshark prints the array with each packet as an object whose first and last lines are
  // indented by exactly two spaces ("  {" ... "  }"); deeper lines are indented further, so
  // "\n  {" and "\n  }" mark packet boundaries. Scanning for them beats splitting into lines.
  let pending = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    pending += chunk;
    let cursor = 0;
    for (;;) {
      const start = pending.indexOf('\n  {', cursor);
      if (start < 0) break;
      const end = pending.indexOf('\n  }', start);
      if (end < 0) {
        cursor = start;
        break;
      }
      take(pending.slice(start + 3, end + 4));
      cursor = end + 4;
    }
    pending = pending.slice(cursor);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`tshark exited ${code}: ${stderr.slice(-2000)}`);
  return { messages, malformed };
}

/** A packet in which tshark reported "Malformed Packet" (an exception in a dissector). */
export interface MalformedFrame {
  frame: number;
  /** Number of malformed-packet items in the frame. */
  errors: number;
  messages: DissectedBmp[];
}

/**
 * The malformed-packet reports that are tshark 4.0's bugs, not bad bytes; returns the others.
 * Each known bug is recognised from the message that triggers it, and a frame is excused only
 * for as many errors as it holds such messages.
 *
 * - Peer Up with information TLVs after the two OPENs (RFC 7854 §4.10; FRR sends the neighbour's
 *   description as a type 0 TLV): tshark hands the TLV bytes to the BGP dissector as a third BGP
 *   message, which throws. The two OPENs are dissected correctly. Evidence: a Peer Up whose BMP
 *   length exceeds 6 + 42 + 20 + the two OPENs' lengths.
 * - Statistics Report with an unknown stat type (FRR's experimental 65531, 4-byte value): tshark
 *   shows "Unknown stats type payload" and then throws, although the message length (108 for 7
 *   TLVs of 4-byte values) is exact. The message's type and count are still dissected.
 */
export function unexplainedMalformed(frames: MalformedFrame[]): MalformedFrame[] {
  const KNOWN_STAT_TYPES = new Set(Array.from({ length: 18 }, (_, i) => String(i)));
  const explains = (m: DissectedBmp): boolean => {
    const type = m.tree['bmp.type'];
    if (type === '3') {
      const opens = asArray(m.tree.bgp) as Tree[];
      const openBytes = opens.slice(0, 2).reduce((n, o) => n + Number(o['bgp.length'] ?? 0), 0);
      return Number(m.tree['bmp.length']) > 6 + 42 + 20 + openBytes;
    }
    if (type === '1') return findAll(m.tree, 'bmp.stats.type').some((t) => !KNOWN_STAT_TYPES.has(String(t)));
    return false;
  };
  return frames.filter((f) => f.errors > f.messages.filter(explains).length);
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every value under `key` anywhere in `tree` (depth first, document order). */
export function findAll(tree: unknown, key: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Tree)) {
        if (k === key) out.push(...asArray(v));
        walk(v);
      }
    }
  };
  walk(tree);
  return out;
}

export function first(tree: unknown, key: string): string | null {
  const v = findAll(tree, key)[0];
  return v === undefined ? null : String(v);
}

export type View = 'pre' | 'post' | 'loc_rib';

/** The per-peer header of a dissected message. */
export interface DissectedPeer {
  type: number;
  address: string;
  asn: number;
  bgpId: string;
  view: View;
}

export function peerOf(message: DissectedBmp): DissectedPeer {
  const header = message.tree['bmp.peer.header'] as Tree;
  const type = Number(header['bmp.peer.type']);
  const flags = (header['bmp.peer.flags_tree'] ?? {}) as Tree;
  return {
    type,
    address: String(header['bmp.peer.ip.addr'] ?? header['bmp.peer.ipv6.addr'] ?? header['bmp.peer.ip6.addr']),
    asn: Number(header['bmp.peer.asn']),
    bgpId: String(header['bmp.peer.id']),
    view: type === 3 ? 'loc_rib' : flags['bmp.peer.flags.post_policy'] === '1' ? 'post' : 'pre',
  };
}

/** One prefix of a dissected Route Monitoring message, with the attributes that apply to it. */
export interface DissectedRoute {
  peer: DissectedPeer;
  action: 'announce' | 'withdraw' | 'end_of_rib';
  prefix: string | null;
  /** AS path as text: hops space-separated, AS_SET members in braces. */
  asPath: string;
  nextHop: string | null;
  communities: string[];
  largeCommunities: string[];
  med: number | null;
  localPref: number | null;
}

const CIDR = /^[0-9a-fA-F:.]+\/\d{1,3}$/;

/** Prefix keys (tshark names each NLRI subtree by its CIDR text) anywhere under `node`. */
function prefixesUnder(node: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (const x of n) walk(x);
    else if (n !== null && typeof n === 'object') {
      for (const [k, v] of Object.entries(n as Tree)) {
        if (CIDR.test(k)) out.push(k);
        else walk(v);
      }
    }
  };
  walk(node);
  return out;
}

/** The routes of a dissected Route Monitoring message (type 0). */
export function routesOf(message: DissectedBmp): DissectedRoute[] {
  const peer = peerOf(message);
  const bgp = message.tree.bgp as Tree | undefined;
  if (bgp === undefined) throw new Error(`tshark: Route Monitoring without a BGP UPDATE in frame ${message.frame}: ${JSON.stringify(message.tree).slice(0, 500)}`);
  const attributes = asArray((bgp['bgp.update.path_attributes'] as Tree | undefined)?.['bgp.update.path_attribute']) as Tree[];
  const withdrawn = prefixesUnder(bgp['bgp.update.withdrawn_routes']);
  const announced = prefixesUnder(bgp['bgp.update.nlri']);
  let asPath = '';
  let nextHop: string | null = null;
  const communities: string[] = [];
  const largeCommunities: string[] = [];
  let med: number | null = null;
  let localPref: number | null = null;
  let mpReach = false;
  let mpUnreach = false;
  for (const a of attributes) {
    switch (Number(a['bgp.update.path_attribute.type_code'])) {
      case 2: {
        const hops: string[] = [];
        for (const seg of asArray(a['bgp.update.path_attribute.as_path_segment']) as Tree[]) {
          const asns = asArray(seg['bgp.update.path_attribute.as_path_segment.as4'] ?? seg['bgp.update.path_attribute.as_path_segment.as2']).map(String);
          const set = seg['bgp.update.path_attribute.as_path_segment.type'] === '1';
          hops.push(...asns.map((n) => (set ? `{${n}}` : n)));
        }
        asPath = hops.join(' ');
        break;
      }
      case 3:
        nextHop = String(a['bgp.update.path_attribute.next_hop']);
        break;
      case 4:
        med = Number(a['bgp.update.path_attribute.multi_exit_disc']);
        break;
      case 5:
        localPref = Number(a['bgp.update.path_attribute.local_pref']);
        break;
      case 8:
        for (const c of findAll(a, 'bgp.update.path_attribute.community') as Tree[]) {
          communities.push(`${c['bgp.update.path_attribute.community_as']}:${c['bgp.update.path_attribute.community_value']}`);
        }
        break;
      case 14: {
        mpReach = true;
        nextHop = first(a, 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6') ?? first(a, 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4') ?? nextHop;
        announced.push(...prefixesUnder(a['bgp.update.path_attribute.mp_reach_nlri']));
        break;
      }
      case 15:
        mpUnreach = true;
        withdrawn.push(...prefixesUnder(a['bgp.update.path_attribute.mp_unreach_nlri']));
        break;
      case 32:
        for (const c of asArray(a['bgp.large_communities_tree']) as Tree[]) {
          largeCommunities.push(`${c['bgp.large_communities.ga']}:${c['bgp.large_communities.ldp1']}:${c['bgp.large_communities.ldp2']}`);
        }
        break;
      default:
        break;
    }
  }
  const none = { asPath: '', nextHop: null, communities: [], largeCommunities: [], med: null, localPref: null };
  const routes: DissectedRoute[] = [
    ...withdrawn.map((prefix): DissectedRoute => ({ peer, action: 'withdraw', prefix, ...none })),
    ...announced.map((prefix): DissectedRoute => ({ peer, action: 'announce', prefix, asPath, nextHop, communities, largeCommunities, med, localPref })),
  ];
  // End-of-RIB (RFC 4724 §2): an UPDATE with nothing in it, or an empty MP_UNREACH_NLRI.
  if (routes.length === 0 && !mpReach && (attributes.length === 0 || (mpUnreach && attributes.length === 1))) {
    routes.push({ peer, action: 'end_of_rib', prefix: null, ...none });
  }
  return routes;
}
