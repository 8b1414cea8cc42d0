/**
 * Test helper: where the shared real-capture test data lives (/work/shared/testdata by default,
 * i.e. ../shared/testdata next to the repository; BMP_TESTDATA_DIR overrides), and STREAMS.tsv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export const TESTDATA_DIR = process.env.BMP_TESTDATA_DIR ?? resolve(repoRoot, '../shared/testdata');
export const BMP_CAPTURE_DIR = join(TESTDATA_DIR, 'bmp');
export const HAVE_TESTDATA = existsSync(join(BMP_CAPTURE_DIR, 'STREAMS.tsv'));

export function readCaptureFile(name: string): Buffer {
  return readFileSync(join(BMP_CAPTURE_DIR, name));
}

/** One row of STREAMS.tsv: one router→collector TCP session of a capture. */
export interface StreamsRow {
  file: string;
  sessionFile: string;
  /** Stream octets up to the last whole message (a trailing partial message is not counted). */
  bytes: number;
  msgs: number;
  /** e.g. {v3: 89, v4: 1186} */
  versions: Record<string, number>;
  /** e.g. {INIT: 1, PU: 20, RM: 1206, STATS: 48} */
  types: Record<string, number>;
  firstHeader: string;
  notes: string;
  /** Endpoints parsed from the session file name (the capture tool's naming). */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

function counts(field: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (field === '-' || field === '') return out;
  for (const part of field.split(',')) {
    const [k, v] = part.split(':');
    out[k] = Number(v);
  }
  return out;
}

/** "2001.db8.90..1" (the tool replaces ':' by '.') back to address text. */
function address(text: string): string {
  return text.split('.').length === 4 && !text.includes('..') ? text : text.replaceAll('.', ':');
}

export function readStreamsTsv(): StreamsRow[] {
  const lines = readFileSync(join(BMP_CAPTURE_DIR, 'STREAMS.tsv'), 'utf8').trimEnd().split('\n');
  return lines.slice(1).map((line) => {
    const [file, sessionFile, bytes, msgs, versions, types, firstHeader, notes = ''] = line.split('\t');
    const m = /\.s\d+\.([^_]+)_(\d+)-([^_]+)_(\d+)\.bmp$/.exec(sessionFile);
    if (!m) throw new Error(`unexpected session file name ${sessionFile}`);
    return {
      file,
      sessionFile,
      bytes: Number(bytes),
      msgs: Number(msgs),
      versions: counts(versions),
      types: counts(types),
      firstHeader,
      notes,
      src: address(m[1]),
      srcPort: Number(m[2]),
      dst: address(m[3]),
      dstPort: Number(m[4]),
    };
  });
}

/** The capture files of the BMP test data, each once, in STREAMS.tsv order. */
export function captureFiles(): string[] {
  return [...new Set(readStreamsTsv().map((r) => r.file))];
}

/** ORACLE.tsv rows (tshark's view of each capture plus the framing cross-check), by column name. */
export function readOracleTsv(): Array<Record<string, string>> {
  const lines = readFileSync(join(BMP_CAPTURE_DIR, 'ORACLE.tsv'), 'utf8').trimEnd().split('\n');
  const head = lines[0].split('\t');
  return lines.slice(1).map((line) => Object.fromEntries(line.split('\t').map((v, i) => [head[i], v])));
}
