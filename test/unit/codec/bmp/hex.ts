/**
 * Test helper: bytes from annotated hex. `//` starts a comment to the end of the line; whitespace
 * is ignored, so fixtures can be laid out field by field next to the RFC layout.
 */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Buffer {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += String(values[i]) + strings[i + 1];
  const digits = text
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** `n` copies of the octet `byte` as hex (e.g. a 16-octet marker). */
export function rep(byte: string, n: number): string {
  return byte.repeat(n);
}
