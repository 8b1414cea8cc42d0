/**
 * Route Distinguisher for the BGP encoders: the text form and its parsing live in
 * ../../route-distinguisher.ts (shared with the BMP codec); this only adapts the writer.
 */
import { ROUTE_DISTINGUISHER_LENGTH, writeRouteDistinguisher } from '../../route-distinguisher.js';
import type { ByteWriter } from '../writer.js';

/** Writes the 8 octets of an RD given as text (see ../../route-distinguisher.ts). */
export function writeRd(w: ByteWriter, text: string): void {
  const [buf, at] = w.slot(ROUTE_DISTINGUISHER_LENGTH);
  writeRouteDistinguisher(text, buf, at);
}
