/**
 * UPDATE (RFC 4271 §4.3; docs/bmp-protocol.md §18.4):
 *   Withdrawn Routes Length (2) + Withdrawn Routes + Total Path Attribute Length (2) +
 *   Path Attributes + NLRI (the rest of the message).
 * The Withdrawn Routes and NLRI fields hold IPv4 unicast prefixes (AFI 1 / SAFI 1), with ADD-PATH
 * path identifiers when opts.addPath(1, 1) says so (RFC 7911 §3); every other family travels in
 * MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760).
 *
 * `attributeList` (wire order, exact flags) is what the encoder writes; `attributes` and
 * `endOfRib` are derived from it once at decode time (see makeUpdate for building by hand).
 */
import { CodecError } from '../errors.js';
import { collectAttributes, decodeAttributeList, decodeAttributes, encodeAttributeList, type Attributes, type PathAttribute } from './attributes/index.js';
import { beginMessage, BGP_HEADER_LENGTH, decodeHeader, finishMessage, MessageType } from './header.js';
import { decodeIPv4Prefixes, encodeIPv4Prefixes } from './nlri/ipv4.js';
import type { Route } from './nlri/route.js';
import type { BgpDecodeOptions, Family } from './options.js';
import { ByteWriter, encodeError } from './writer.js';
import { asCodecError } from './guard.js';

/**
 * What an UPDATE means, without its wire form: the routes and the attributes they share. The
 * event model needs no more; decodeUpdateRoutes gives it without building the attribute list.
 */
export interface UpdateRoutes {
  /** Withdrawn Routes field: IPv4 unicast routes (MP withdrawals are in attributes.mpUnreach). */
  withdrawn: Route[];
  /** Decoded attributes, shared by every route of this UPDATE. */
  attributes: Attributes;
  /** NLRI field: IPv4 unicast routes (MP routes are in attributes.mpReach). */
  nlri: Route[];
  /**
   * End-of-RIB marker (RFC 4724 §2): an UPDATE with nothing at all is the IPv4 unicast marker; one
   * whose MP_UNREACH_NLRI has no routes (and which announces and withdraws nothing else) is the
   * marker of that family. RFC 4724 wants MP_UNREACH_NLRI to be the only attribute; other
   * attributes are tolerated here since they do not change the meaning.
   */
  endOfRib: Family | null;
}

export interface UpdateMessage extends UpdateRoutes {
  type: 'update';
  /** The attributes as on the wire, in order, for exact re-encoding and generic display. */
  attributeList: PathAttribute[];
}

export function endOfRibOf(withdrawn: readonly Route[], nlri: readonly Route[], list: readonly PathAttribute[], attributes: Attributes): Family | null {
  return endOfRib(withdrawn, nlri, list.length !== 0, attributes);
}

function endOfRib(withdrawn: readonly Route[], nlri: readonly Route[], hasAttributes: boolean, attributes: Attributes): Family | null {
  if (withdrawn.length !== 0 || nlri.length !== 0) return null;
  if (!hasAttributes) return { afi: 1, safi: 1 };
  const un = attributes.mpUnreach;
  if (un !== null && un.routes.length === 0 && attributes.mpReach === null) return { afi: un.afi, safi: un.safi };
  return null;
}

/** Decodes an UPDATE body occupying [start, end) of `buf` (offsets in errors are into `buf`). */
export function decodeUpdateBody(buf: Buffer, start: number, end: number, opts: BgpDecodeOptions): UpdateMessage {
  return decodeBody(buf, start, end, opts, true) as UpdateMessage;
}

/**
 * decodeUpdateBody without the attribute list: the same routes, attributes, End-of-RIB and
 * errors, the attributes decoded and collected in one pass (decodeAttributes). For consumers that
 * only read what the UPDATE means, such as the event model.
 */
export function decodeUpdateRoutes(buf: Buffer, start: number, end: number, opts: BgpDecodeOptions): UpdateRoutes {
  return decodeBody(buf, start, end, opts, false);
}

function decodeBody(buf: Buffer, start: number, end: number, opts: BgpDecodeOptions, withList: boolean): UpdateRoutes | UpdateMessage {
  if (end - start < 4) throw new CodecError(`UPDATE body needs at least 4 bytes, only ${end - start} (RFC 4271 §4.3)`, start);
  const wLen = (buf[start] << 8) | buf[start + 1];
  const wStart = start + 2;
  const wEnd = wStart + wLen;
  if (wEnd + 2 > end) {
    throw new CodecError(`UPDATE withdrawn routes length ${wLen} exceeds message (${Math.max(0, end - wStart - 2)} bytes left before the path attribute length)`, start);
  }
  const aLen = (buf[wEnd] << 8) | buf[wEnd + 1];
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) throw new CodecError(`UPDATE total path attribute length ${aLen} exceeds message (${end - aStart} bytes left)`, wEnd);

  const ipv4AddPath = wLen > 0 || aEnd < end ? opts.addPath(1, 1) : false;
  const withdrawn: Route[] = wLen > 0 ? decodeIPv4Prefixes(buf, wStart, wEnd, 1, 1, ipv4AddPath) : [];
  if (withList) {
    const attributeList = aLen > 0 ? decodeAttributeList(buf, aStart, aEnd, opts) : [];
    const nlri: Route[] = aEnd < end ? decodeIPv4Prefixes(buf, aEnd, end, 1, 1, ipv4AddPath) : [];
    const attributes = collectAttributes(attributeList, opts);
    return { type: 'update', withdrawn, attributes, nlri, endOfRib: endOfRibOf(withdrawn, nlri, attributeList, attributes), attributeList };
  }
  // Attributes of a non-empty field: decodeAttributes either finds one or throws.
  const attributes = aLen > 0 ? decodeAttributes(buf, aStart, aEnd, opts) : collectAttributes([], opts);
  const nlri: Route[] = aEnd < end ? decodeIPv4Prefixes(buf, aEnd, end, 1, 1, ipv4AddPath) : [];
  return { withdrawn, attributes, nlri, endOfRib: endOfRib(withdrawn, nlri, aLen > 0, attributes) };
}

/** Decodes one whole UPDATE message (header included; `buf` holds exactly that message). */
export function decodeUpdate(buf: Buffer, opts: BgpDecodeOptions): UpdateMessage {
  try {
    const h = decodeHeader(buf, 0);
    if (h.type !== MessageType.UPDATE) throw new CodecError(`BGP message type ${h.type} is not UPDATE (2)`, 18);
    if (h.length !== buf.length) throw new CodecError(`BGP length ${h.length} does not match the ${buf.length}-byte buffer`, 16);
    return decodeUpdateBody(buf, BGP_HEADER_LENGTH, h.length, opts);
  } catch (e) {
    throw asCodecError(e);
  }
}

export function encodeUpdateBody(w: ByteWriter, msg: UpdateMessage, opts: BgpDecodeOptions): void {
  const ipv4AddPath = msg.withdrawn.length > 0 || msg.nlri.length > 0 ? opts.addPath(1, 1) : false;
  for (const r of msg.withdrawn) if (r.afi !== 1 || r.safi !== 1) encodeError(`Withdrawn Routes field holds IPv4 unicast only, got family ${r.afi}/${r.safi}`);
  for (const r of msg.nlri) if (r.afi !== 1 || r.safi !== 1) encodeError(`NLRI field holds IPv4 unicast only, got family ${r.afi}/${r.safi}`);
  const wAt = w.reserve(2);
  encodeIPv4Prefixes(w, msg.withdrawn, ipv4AddPath);
  w.setU16(wAt, w.pos - wAt - 2, 'UPDATE withdrawn routes length');
  const aAt = w.reserve(2);
  encodeAttributeList(w, msg.attributeList, opts);
  w.setU16(aAt, w.pos - aAt - 2, 'UPDATE total path attribute length');
  encodeIPv4Prefixes(w, msg.nlri, ipv4AddPath);
}

/** Encodes a whole UPDATE message (header included). */
export function encodeUpdate(msg: UpdateMessage, opts: BgpDecodeOptions): Buffer {
  const w = new ByteWriter(512);
  const start = beginMessage(w, MessageType.UPDATE);
  encodeUpdateBody(w, msg, opts);
  finishMessage(w, start);
  return w.toBuffer();
}

/** Builds an UpdateMessage from its wire parts, deriving `attributes` and `endOfRib` as the decoder does. */
export function makeUpdate(parts: { withdrawn?: Route[]; attributeList?: PathAttribute[]; nlri?: Route[] }, opts: BgpDecodeOptions): UpdateMessage {
  const withdrawn = parts.withdrawn ?? [];
  const attributeList = parts.attributeList ?? [];
  const nlri = parts.nlri ?? [];
  const attributes = collectAttributes(attributeList, opts);
  return { type: 'update', withdrawn, attributes, nlri, endOfRib: endOfRibOf(withdrawn, nlri, attributeList, attributes), attributeList };
}
