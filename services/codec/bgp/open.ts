/**
 * OPEN (RFC 4271 §4.2; docs/bmp-protocol.md §18.2):
 *   Version (1) + My Autonomous System (2) + Hold Time (2) + BGP Identifier (4) +
 *   Optional Parameters Length (1) + Optional Parameters (Type (1) + Length (1) + Value).
 *
 * RFC 9072 extended optional parameters: when the Optional Parameters Length octet is non-zero
 * and the first parameter type is 255, the next two octets are the real parameters length and
 * every parameter has a 2-octet length. RFC 9072 §2 has the length octet set to 255; the decoder
 * follows the doc's "non-zero and first type 255" test, and the encoder always writes 255.
 *
 * Capabilities (RFC 5492) live in parameters of type 2. Routers differ in packing: one
 * capability per parameter or many in one. `parameters` keeps that grouping so the OPEN
 * re-encodes byte for byte; `capabilities` is the flattened list most readers want.
 */
import { CodecError } from '../errors.js';
import { formatIPv4, writeIPv4 } from '../address.js';
import { decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';
import { beginMessage, BGP_HEADER_LENGTH, decodeHeader, finishMessage, MessageType } from './header.js';
import { ByteWriter, encodeError } from './writer.js';
import { asCodecError } from './guard.js';

export const OPT_PARAM_CAPABILITIES = 2;
/** RFC 9072 §2 "Non-Ext OP Type" marking the extended encoding. */
export const OPT_PARAM_EXTENDED_LENGTH = 255;

export interface CapabilitiesParameter {
  kind: 'capabilities';
  type: 2;
  capabilities: Capability[];
}

export interface RawParameter {
  kind: 'raw';
  /** Parameter type (1 = deprecated Authentication Information, RFC 5492 §2). */
  type: number;
  value: Buffer;
  /** Why a capabilities parameter could not be split into capabilities, else null. */
  error: string | null;
}

export type OptionalParameter = CapabilitiesParameter | RawParameter;

export interface OpenMessage {
  type: 'open';
  version: number;
  /** 2-octet My Autonomous System; AS_TRANS (23456) when the real ASN is in capability 65. */
  myAs: number;
  holdTime: number;
  /** BGP Identifier, IPv4 text. */
  bgpId: string;
  /** RFC 9072 extended optional parameter encoding was (or is to be) used. */
  extendedParameters: boolean;
  parameters: OptionalParameter[];
  /** Every capability of every capabilities parameter, in wire order (derived from `parameters`). */
  capabilities: Capability[];
}

function flatten(parameters: readonly OptionalParameter[]): Capability[] {
  const out: Capability[] = [];
  for (const p of parameters) if (p.kind === 'capabilities') out.push(...p.capabilities);
  return out;
}

function decodeParameter(type: number, buf: Buffer, start: number, end: number): OptionalParameter {
  if (type === OPT_PARAM_CAPABILITIES) {
    try {
      return { kind: 'capabilities', type: 2, capabilities: decodeCapabilities(buf, start, end) };
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return { kind: 'raw', type, value: buf.subarray(start, end), error: e.message };
    }
  }
  return { kind: 'raw', type, value: buf.subarray(start, end), error: null };
}

/** Decodes an OPEN body occupying [start, end) of `buf`. */
export function decodeOpenBody(buf: Buffer, start: number, end: number): OpenMessage {
  if (end - start < 10) throw new CodecError(`OPEN body needs at least 10 bytes, only ${end - start} (RFC 4271 §4.2)`, start);
  const version = buf[start];
  const myAs = (buf[start + 1] << 8) | buf[start + 2];
  const holdTime = (buf[start + 3] << 8) | buf[start + 4];
  const bgpId = formatIPv4(buf, start + 5);
  const optLen = buf[start + 9];
  let pos = start + 10;
  let paramsEnd = pos + optLen;
  let extended = false;
  if (optLen > 0 && pos < end && buf[pos] === OPT_PARAM_EXTENDED_LENGTH) {
    // RFC 9072 §2: Non-Ext OP Type (255) + Extended Opt. Parm. Length (2).
    if (end - pos < 3) throw new CodecError(`OPEN extended optional parameters length needs 3 bytes, only ${end - pos} left (RFC 9072 §2)`, pos);
    extended = true;
    const extLen = (buf[pos + 1] << 8) | buf[pos + 2];
    pos += 3;
    paramsEnd = pos + extLen;
  }
  if (paramsEnd > end) throw new CodecError(`OPEN optional parameters length ${paramsEnd - pos} exceeds message (${end - pos} bytes left)`, start + 9);
  if (paramsEnd < end) throw new CodecError(`OPEN has ${end - paramsEnd} bytes after its optional parameters`, paramsEnd);
  const parameters: OptionalParameter[] = [];
  const hdr = extended ? 3 : 2;
  while (pos < paramsEnd) {
    if (paramsEnd - pos < hdr) throw new CodecError(`OPEN optional parameter header needs ${hdr} bytes, only ${paramsEnd - pos} left`, pos);
    const type = buf[pos];
    const len = extended ? (buf[pos + 1] << 8) | buf[pos + 2] : buf[pos + 1];
    const vstart = pos + hdr;
    if (vstart + len > paramsEnd) throw new CodecError(`OPEN optional parameter ${type} length ${len} exceeds optional parameters (${paramsEnd - vstart} bytes left)`, pos);
    parameters.push(decodeParameter(type, buf, vstart, vstart + len));
    pos = vstart + len;
  }
  return { type: 'open', version, myAs, holdTime, bgpId, extendedParameters: extended, parameters, capabilities: flatten(parameters) };
}

/** Decodes one whole OPEN message (header included; `buf` holds exactly that message). */
export function decodeOpen(buf: Buffer): OpenMessage {
  try {
    const h = decodeHeader(buf, 0);
    if (h.type !== MessageType.OPEN) throw new CodecError(`BGP message type ${h.type} is not OPEN (1)`, 18);
    if (h.length !== buf.length) throw new CodecError(`BGP length ${h.length} does not match the ${buf.length}-byte buffer`, 16);
    return decodeOpenBody(buf, BGP_HEADER_LENGTH, h.length);
  } catch (e) {
    throw asCodecError(e);
  }
}

export function encodeOpenBody(w: ByteWriter, msg: OpenMessage): void {
  w.u8(msg.version, 'OPEN version');
  w.u16(msg.myAs, 'OPEN My Autonomous System');
  w.u16(msg.holdTime, 'OPEN hold time');
  const [buf, at] = w.slot(4);
  writeIPv4(msg.bgpId, buf, at);
  const ext = msg.extendedParameters;
  const lenAt = w.reserve(1);
  let extLenAt = -1;
  if (ext) {
    w.setU8(lenAt, 255, 'OPEN optional parameters length');
    w.u8(OPT_PARAM_EXTENDED_LENGTH, 'OPEN Non-Ext OP Type');
    extLenAt = w.reserve(2);
  }
  const from = w.pos;
  for (const p of msg.parameters) {
    w.u8(p.type, 'OPEN optional parameter type');
    const plenAt = w.reserve(ext ? 2 : 1);
    const pfrom = w.pos;
    if (p.kind === 'capabilities') for (const c of p.capabilities) encodeCapability(w, c);
    else w.bytes(p.value);
    const plen = w.pos - pfrom;
    if (ext) w.setU16(plenAt, plen, 'OPEN optional parameter length');
    else if (plen > 255) encodeError(`OPEN optional parameter of ${plen} bytes needs the RFC 9072 extended encoding`);
    else w.setU8(plenAt, plen, 'OPEN optional parameter length');
  }
  const total = w.pos - from;
  if (ext) w.setU16(extLenAt, total, 'OPEN extended optional parameters length');
  else if (total > 255) encodeError(`OPEN optional parameters of ${total} bytes need the RFC 9072 extended encoding`);
  else w.setU8(lenAt, total, 'OPEN optional parameters length');
}

/** Encodes a whole OPEN message (header included). */
export function encodeOpen(msg: OpenMessage): Buffer {
  const w = new ByteWriter(128);
  const start = beginMessage(w, MessageType.OPEN);
  encodeOpenBody(w, msg);
  finishMessage(w, start);
  return w.toBuffer();
}

/** Builds an OpenMessage, deriving `capabilities` from `parameters` as the decoder does. */
export function makeOpen(fields: Omit<OpenMessage, 'type' | 'capabilities' | 'extendedParameters'> & { extendedParameters?: boolean }): OpenMessage {
  return {
    type: 'open',
    version: fields.version,
    myAs: fields.myAs,
    holdTime: fields.holdTime,
    bgpId: fields.bgpId,
    extendedParameters: fields.extendedParameters ?? false,
    parameters: fields.parameters,
    capabilities: flatten(fields.parameters),
  };
}

/** The speaker's real ASN: capability 65 when present (RFC 6793 §4.1), else My Autonomous System. */
export function openAsn(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === 'four_octet_as') return c.asn;
  return open.myAs;
}
