/**
 * `bmp decode`: offline decoding of a capture (pcap / pcapng: every BMP TCP session in it) or a
 * raw BMP byte stream into the events the pipeline publishes, or into a summary.
 *
 * The same framer and session decoder as the ingest service, so the output is what a replay of
 * the file into the service would put on the topics.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { detectCaptureFormat, extractBmpStreams } from '../capture/index.js';
import { BmpFramer } from '../codec/framer.js';
import { decodePerPeerHeader, hasPerPeerHeader, PER_PEER_HEADER_LENGTH } from '../codec/bmp/index.js';
import { MESSAGE_TOPICS, type EventByTopic, type EventTopic, type MessageTopic } from '../events/model.js';
import { BmpSessionDecoder, type EventSink, type MessageOutcome } from '../events/session-decoder.js';

export interface DecodeSummary {
  /** BMP messages per type, under the topic name of the type. */
  messages: Record<MessageTopic, number>;
  /** Distinct (peer address, peer distinguisher) pairs in per-peer headers. */
  peers: number;
  /**
   * Route Monitoring NLRI, one per prefix announced or withdrawn. ipv4_* / ipv6_*: the IP
   * families, plain (unicast, multicast), labeled (SAFI 4) and VPN (SAFI 128, 129), by AFI.
   * other: NLRI of every other family (EVPN, VPLS, families kept raw), and IP-family NLRI the
   * codec could not read as a prefix. End-of-RIB markers are not counted.
   */
  prefixes: { ipv4_announce: number; ipv4_withdraw: number; ipv6_announce: number; ipv6_withdraw: number; other: number };
  /** Error events (undecodable messages, unknown message types, lost or truncated framing). */
  errors: number;
  /**
   * Route events (announcements and withdrawals, not End-of-RIB) per family, by the snake_case
   * family name of the events ("ipv4_unicast", "vpnv4_unicast", "evpn", "ipv4_flowspec", ...);
   * routes the codec keeps as raw NLRI bytes (raw_nlri set) count under "raw" instead.
   */
  families: Record<string, number>;
}

/** SAFIs whose prefixes the summary counts per IP version: 1, 2, 4 (labeled), 128/129 (VPN). */
const IP_PREFIX_SAFIS = new Set([1, 2, 4, 128, 129]);

/** Accumulates a DecodeSummary from messages and events. */
export class SummaryCollector {
  private readonly messages = Object.fromEntries(MESSAGE_TOPICS.map((t) => [t, 0])) as Record<MessageTopic, number>;
  private readonly peers = new Set<string>();
  private readonly prefixes = { ipv4_announce: 0, ipv4_withdraw: 0, ipv6_announce: 0, ipv6_withdraw: 0, other: 0 };
  private errors = 0;
  private readonly families = new Map<string, number>();

  message(bytes: Buffer, outcome: MessageOutcome): void {
    if (outcome.topic !== null) this.messages[outcome.topic]++;
    const type = bytes[5];
    if (hasPerPeerHeader(type) && bytes.length >= 6 + PER_PEER_HEADER_LENGTH) {
      try {
        const peer = decodePerPeerHeader(bytes, 6);
        this.peers.add(`${peer.peerAddress}|${peer.peerDistinguisher}`);
      } catch {
        // counted as an error by the decoder already
      }
    }
  }

  readonly sink: EventSink = <T extends EventTopic>(topic: T, event: EventByTopic[T]): void => {
    if (topic === 'errors') {
      this.errors++;
      return;
    }
    if (topic !== 'route_monitoring') return;
    const route = event as EventByTopic['route_monitoring'];
    if (route.action === 'end_of_rib') return;
    const family = route.raw_nlri !== null ? 'raw' : route.family;
    this.families.set(family, (this.families.get(family) ?? 0) + 1);
    const ip = route.prefix !== null && IP_PREFIX_SAFIS.has(route.safi) ? (route.afi === 1 ? 'ipv4' : route.afi === 2 ? 'ipv6' : null) : null;
    if (ip === null) this.prefixes.other++;
    else this.prefixes[`${ip}_${route.action}`]++;
  };

  result(): DecodeSummary {
    const families: Record<string, number> = {};
    for (const name of [...this.families.keys()].sort()) families[name] = this.families.get(name) as number;
    return { messages: { ...this.messages }, peers: this.peers.size, prefixes: { ...this.prefixes }, errors: this.errors, families };
  }
}

/** One BMP byte stream of the input, with the router address its events carry. */
export interface InputStream {
  routerAddress: string;
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** Decodes one stream: frames it, decodes each message, and reports framing problems. */
export async function decodeStream(
  input: InputStream,
  sink: EventSink,
  options: { maxMessageSize?: number; onMessage?: (bytes: Buffer, outcome: MessageOutcome) => void } = {},
): Promise<void> {
  const framer = new BmpFramer({ maxMessageSize: options.maxMessageSize });
  const decoder = new BmpSessionDecoder({ routerAddress: input.routerAddress });
  const drain = (): boolean => {
    for (;;) {
      const item = framer.next();
      if (item === null) return true;
      if (item.kind === 'error') {
        decoder.framingError(item, framer.pendingBytes(), sink);
        return false;
      }
      const outcome = decoder.decode(item.bytes, item.offset, sink);
      options.onMessage?.(item.bytes, outcome);
    }
  };
  for await (const chunk of input.chunks) {
    framer.push(chunk);
    if (!drain()) return;
  }
  const trailing = framer.end();
  if (trailing !== null) decoder.framingError(trailing, framer.pendingBytes(), sink);
}

/**
 * The BMP streams of a file: each router->collector TCP session of a capture, or the file itself
 * when it is a raw BMP stream (read in chunks, so a large dump is never held whole).
 */
export async function openInput(path: string, rawRouterAddress: string): Promise<InputStream[]> {
  const stdin = path === '-';
  let head: Buffer;
  if (stdin) {
    return [{ routerAddress: rawRouterAddress, chunks: process.stdin as Readable & AsyncIterable<Buffer> }];
  }
  const handle = await open(path, 'r');
  try {
    head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (detectCaptureFormat(head) === 'raw') {
    return [{ routerAddress: rawRouterAddress, chunks: createReadStream(path, { highWaterMark: 1 << 20 }) }];
  }
  const { readFile } = await import('node:fs/promises');
  const streams = extractBmpStreams(await readFile(path));
  return streams.map((s) => ({ routerAddress: s.src, chunks: [s.payload] }));
}

/** JSON text of an event: bytes as hex strings, so a line stays readable and greppable. */
export function eventJson(topic: EventTopic, event: object): string {
  return JSON.stringify({ topic, ...event }, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
      return Buffer.from((value as { data: number[] }).data).toString('hex');
    }
    return value;
  });
}
