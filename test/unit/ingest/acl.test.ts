/**
 * Router access list: IPv4 and IPv6 prefixes, the /0, /32 and /128 edges, IPv4-mapped addresses
 * as Node reports them on dual-stack sockets, refusal of malformed entries, and a property test
 * against a BigInt reference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv6 } from '../../../services/codec/address.js';
import { RouterAcl } from '../../../services/ingest/acl.js';

const RUNS = Number(process.env.ACL_PROPERTY_RUNS ?? 300);

function check(acl: RouterAcl, allowed: string[], denied: string[]): void {
  for (const a of allowed) assert.equal(acl.allows(a), true, `${a} should be allowed by ${acl.entries.join(', ')}`);
  for (const a of denied) assert.equal(acl.allows(a), false, `${a} should be denied by ${acl.entries.join(', ')}`);
}

describe('RouterAcl', () => {
  it('matches IPv4 prefixes', () => {
    const acl = new RouterAcl(['192.0.2.0/24', '198.51.100.7/32', '10.0.0.0/8']);
    check(acl, ['192.0.2.0', '192.0.2.1', '192.0.2.255', '198.51.100.7', '10.255.255.255', '10.0.0.0'], ['192.0.3.0', '192.0.1.255', '198.51.100.6', '198.51.100.8', '11.0.0.0', '9.255.255.255']);
  });

  it('matches IPv6 prefixes, including lengths that cut through a 32-bit word', () => {
    const acl = new RouterAcl(['2001:db8::/32', '2001:db8:8000::/33', 'fd00::/8', '2001:db9::1/128', '2001:dba::/127']);
    check(
      acl,
      ['2001:db8::1', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'fdff::1', '2001:db9::1', '2001:dba::', '2001:dba::1', '2001:DB8::ABCD'],
      ['2001:db7:ffff::', '2001:db9::', '2001:db9::2', '2001:dba::2', 'fe00::', 'fc00::1', '::1'],
    );
    const half = new RouterAcl(['2001:db8:8000::/33']);
    check(half, ['2001:db8:8000::', '2001:db8:ffff::1'], ['2001:db8::1', '2001:db8:7fff:ffff:ffff:ffff:ffff:ffff']);
  });

  it('/0 admits the whole family and only that family', () => {
    check(new RouterAcl(['0.0.0.0/0']), ['0.0.0.0', '255.255.255.255', '192.0.2.1', '::ffff:192.0.2.1'], ['::1', '2001:db8::1', '::']);
    check(new RouterAcl(['::/0']), ['::', '::1', '2001:db8::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], ['192.0.2.1', '::ffff:192.0.2.1']);
    // The ingest service's default: both.
    check(new RouterAcl(['0.0.0.0/0', '::/0']), ['192.0.2.1', '::ffff:192.0.2.1', '2001:db8::1'], []);
  });

  it('/32 and /128 match exactly one address', () => {
    check(new RouterAcl(['203.0.113.9/32']), ['203.0.113.9', '::ffff:203.0.113.9'], ['203.0.113.8', '203.0.113.10']);
    check(new RouterAcl(['2001:db8::9/128']), ['2001:db8::9', '2001:0db8:0000::0009'], ['2001:db8::8', '2001:db8::a']);
  });

  it('matches IPv4-mapped IPv6 addresses (dual-stack sockets) against IPv4 rules', () => {
    const acl = new RouterAcl(['192.0.2.0/24']);
    check(acl, ['::ffff:192.0.2.1', '::FFFF:192.0.2.77', '::ffff:c000:201', '0:0:0:0:0:ffff:192.0.2.1'], ['::ffff:192.0.3.1', '::192.0.2.1', '64:ff9b::192.0.2.1']);
  });

  it('treats rules written inside ::ffff:0:0/96 as the IPv4 rules they denote', () => {
    const acl = new RouterAcl(['::ffff:192.0.2.0/120', '::ffff:0:0/96']);
    check(acl, ['192.0.2.5', '::ffff:192.0.2.5', '8.8.8.8'], ['2001:db8::1', '::1']);
    check(new RouterAcl(['::ffff:192.0.2.0/120']), ['192.0.2.0', '192.0.2.255'], ['192.0.3.0']);
  });

  it('ignores an IPv6 zone id', () => {
    check(new RouterAcl(['fe80::/10']), ['fe80::1%eth0', 'fe80::1%2'], ['fec0::1%eth0']);
  });

  it('denies text that is not an address', () => {
    const acl = new RouterAcl(['0.0.0.0/0', '::/0']);
    check(acl, [], ['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.0.0.1', '1::2::3', '::g', ' 1.2.3.4', '1.2.3.4/32']);
    assert.equal(acl.allows(undefined as unknown as string), false);
  });

  it('an empty list allows nothing', () => {
    check(new RouterAcl([]), [], ['192.0.2.1', '::1', '::ffff:192.0.2.1']);
  });

  it('keeps the entries, trimmed, for logging', () => {
    assert.deepEqual(new RouterAcl([' 192.0.2.0/24', '2001:db8::/32 ']).entries, ['192.0.2.0/24', '2001:db8::/32']);
  });

  const invalid: Array<[string, RegExp]> = [
    ['10.0.0.0/33', /prefix length "33" is not an integer 0-32/],
    ['2001:db8::/129', /prefix length "129" is not an integer 0-128/],
    ['10.0.0.0/08', /prefix length "08"/],
    ['10.0.0.0/-1', /prefix length "-1"/],
    ['10.0.0.0/', /prefix length ""/],
    ['10.0.0.0/24/8', /prefix length "24\/8"/],
    ['10.0.0.0', /missing the prefix length/],
    ['/24', /"" is not an IPv4 address/],
    ['foo/8', /"foo" is not an IPv4 address/],
    ['10.0.0/8', /"10\.0\.0" is not an IPv4 address/],
    ['010.0.0.0/8', /"010\.0\.0\.0" is not an IPv4 address/],
    ['2001:db8:::/48', /is not an IPv6 address/],
    ['10.0.0.1/8', /bits set past the \/8 prefix; did you mean 10\.0\.0\.0\/8\?/],
    ['192.0.2.128/24', /did you mean 192\.0\.2\.0\/24\?/],
    ['2001:db8::1/64', /bits set past the \/64 prefix/],
    ['2001:db8:8000::/32', /bits set past the \/32 prefix/],
    ['', /missing the prefix length/],
  ];
  for (const [entry, pattern] of invalid) {
    it(`refuses ${JSON.stringify(entry)}, naming it`, () => {
      assert.throws(
        () => new RouterAcl(['192.0.2.0/24', entry]),
        (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.ok(e.message.startsWith(`router ACL: invalid entry ${JSON.stringify(entry.trim())}:`), e.message);
          assert.match(e.message, pattern);
          return true;
        },
      );
    });
  }
});

// ---------------------------------------------------------------- property: against BigInt arithmetic

function bigOf(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bytesOf(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A rule from a random address and length, host bits cleared. */
function rule(bytes: Uint8Array, length: number): { text: string; network: bigint; bits: number; length: number } {
  const bits = bytes.length * 8;
  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(bits - length);
  const network = bigOf(bytes) & mask;
  const nb = bytesOf(network, bytes.length);
  const text = bits === 32 ? Array.from(nb).join('.') : formatIPv6(nb, 0);
  return { text: `${text}/${length}`, network, bits, length };
}

function contains(r: { network: bigint; bits: number; length: number }, bytes: Uint8Array): boolean {
  if (bytes.length * 8 !== r.bits) return false;
  const shift = BigInt(r.bits - r.length);
  return bigOf(bytes) >> shift === r.network >> shift;
}

describe('RouterAcl properties', () => {
  const v4Rule = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([b, l]) => rule(b, l));
  // IPv6 rules outside ::ffff:0:0/96, whose mapping to IPv4 the example tests cover.
  const v6Rule = fc
    .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
    .map(([b, l]) => rule(b, l))
    .filter((r) => r.network >> 32n !== 0xffffn);

  it('allows exactly the addresses some rule contains', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(v4Rule, v6Rule), { maxLength: 5 }), fc.array(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), { maxLength: 10 }), (rules, probes) => {
        const acl = new RouterAcl(rules.map((r) => r.text));
        // Probe near the rules' networks as well as at random.
        const near = rules.map((r) => bytesOf(r.network | 1n, r.bits / 8));
        for (const p of [...probes, ...near]) {
          const mapped = p.length === 16 && bigOf(p) >> 32n === 0xffffn;
          const asV4 = mapped ? p.subarray(12) : p;
          const expected = rules.some((r) => contains(r, asV4));
          const text = p.length === 4 ? Array.from(p).join('.') : formatIPv6(p, 0);
          assert.equal(acl.allows(text), expected, `${text} against ${rules.map((r) => r.text).join(', ')}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
