/**
 * The router access list: which source addresses may open a BMP session. Checked once per
 * accepted connection, so a linear scan over pre-parsed prefixes is plenty.
 *
 * Rules are CIDR prefixes, "192.0.2.0/24" or "2001:db8::/32". An address is allowed when any rule
 * contains it; an empty list allows nothing.
 *
 * IPv4 on dual-stack sockets: Node reports an IPv4 peer of an IPv6 socket as an IPv4-mapped IPv6
 * address, "::ffff:192.0.2.1". Such an address is matched as the IPv4 address it carries, against
 * the IPv4 rules. For the same reason a rule written inside ::ffff:0:0/96 (prefix length 96 or
 * more, e.g. "::ffff:192.0.2.0/120") is turned into the IPv4 rule it denotes ("192.0.2.0/24").
 * Other IPv6 rules match IPv6 addresses only: "::/0" does not admit IPv4 routers, "0.0.0.0/0" does.
 *
 * A rule with bits set past its prefix length ("192.0.2.1/24") is refused rather than masked: in
 * an access list it is more often a typo for a host or a different network than a shorthand.
 */
import { writeIPv4, writeIPv6 } from '../codec/address.js';

interface Ipv4Rule {
  network: number;
  mask: number;
}

interface Ipv6Rule {
  /** The network as four 32-bit words, most significant first. */
  words: Uint32Array;
  /** Per-word masks for the prefix length. */
  masks: Uint32Array;
}

function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

function ipv6Masks(length: number): Uint32Array {
  const masks = new Uint32Array(4);
  for (let i = 0; i < 4; i++) masks[i] = ipv4Mask(Math.max(0, Math.min(32, length - 32 * i)));
  return masks;
}

function readWord(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function formatIpv4Word(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
}

/** True for the 16 bytes of ::ffff:a.b.c.d. */
function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

const PREFIX_LENGTH = /^(0|[1-9][0-9]{0,2})$/;

export class RouterAcl {
  private readonly v4: Ipv4Rule[] = [];
  private readonly v6: Ipv6Rule[] = [];
  private readonly scratch = new Uint8Array(16);
  /** The rules as given (trimmed), in order. */
  readonly entries: readonly string[];

  /**
   * @param cidrs IPv4 and IPv6 CIDR prefixes. Throws an Error naming the first invalid entry.
   */
  constructor(cidrs: readonly string[]) {
    const entries: string[] = [];
    for (const raw of cidrs) {
      const entry = typeof raw === 'string' ? raw.trim() : raw;
      this.addRule(entry);
      entries.push(entry);
    }
    this.entries = Object.freeze(entries);
  }

  private addRule(entry: string): void {
    const bad = (why: string): never => {
      throw new Error(`router ACL: invalid entry ${JSON.stringify(entry)}: ${why}`);
    };
    if (typeof entry !== 'string') bad('not a string');
    const slash = entry.indexOf('/');
    if (slash < 0) bad('missing the prefix length (write 192.0.2.1/32 or 2001:db8::1/128 for a single address)');
    const addressText = entry.slice(0, slash);
    const lengthText = entry.slice(slash + 1);
    const v6 = addressText.includes(':');
    const max = v6 ? 128 : 32;
    if (!PREFIX_LENGTH.test(lengthText) || Number(lengthText) > max) bad(`prefix length "${lengthText}" is not an integer 0-${max}`);
    const length = Number(lengthText);
    const b = new Uint8Array(16);
    try {
      if (v6) writeIPv6(addressText, b, 0);
      else writeIPv4(addressText, b, 0);
    } catch {
      bad(`"${addressText}" is not an ${v6 ? 'IPv6' : 'IPv4'} address`);
    }
    if (!v6) {
      const address = readWord(b, 0);
      const mask = ipv4Mask(length);
      if ((address & ~mask) >>> 0 !== 0) bad(`bits set past the /${length} prefix; did you mean ${formatIpv4Word((address & mask) >>> 0)}/${length}?`);
      this.v4.push({ network: address, mask });
      return;
    }
    const words = new Uint32Array([readWord(b, 0), readWord(b, 4), readWord(b, 8), readWord(b, 12)]);
    const masks = ipv6Masks(length);
    for (let i = 0; i < 4; i++) {
      if ((words[i] & ~masks[i]) >>> 0 !== 0) bad(`bits set past the /${length} prefix`);
    }
    if (length >= 96 && isV4Mapped(b)) {
      this.v4.push({ network: words[3], mask: ipv4Mask(length - 96) });
      return;
    }
    this.v6.push({ words, masks });
  }

  /**
   * Whether a connection from `address` (as Node reports socket.remoteAddress: IPv4 text, IPv6
   * text, IPv4-mapped IPv6, possibly with a %zone) is allowed. Text that is not an address is not.
   */
  allows(address: string): boolean {
    if (typeof address !== 'string') return false;
    const b = this.scratch;
    const zone = address.indexOf('%');
    const text = zone >= 0 ? address.slice(0, zone) : address;
    try {
      if (!text.includes(':')) {
        writeIPv4(text, b, 0);
        return this.allowsV4(readWord(b, 0));
      }
      writeIPv6(text, b, 0);
    } catch {
      return false;
    }
    if (isV4Mapped(b)) return this.allowsV4(readWord(b, 12));
    const w0 = readWord(b, 0);
    const w1 = readWord(b, 4);
    const w2 = readWord(b, 8);
    const w3 = readWord(b, 12);
    for (const r of this.v6) {
      if (
        (w0 & r.masks[0]) >>> 0 === r.words[0] &&
        (w1 & r.masks[1]) >>> 0 === r.words[1] &&
        (w2 & r.masks[2]) >>> 0 === r.words[2] &&
        (w3 & r.masks[3]) >>> 0 === r.words[3]
      ) {
        return true;
      }
    }
    return false;
  }

  private allowsV4(address: number): boolean {
    for (const r of this.v4) if ((address & r.mask) >>> 0 === r.network) return true;
    return false;
  }
}
