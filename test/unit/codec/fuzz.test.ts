/**
 * Bounded fuzz run of the decode path (test/fuzz/harness.ts): mutated real sessions through the
 * framer with random chunking, the BMP and BGP decoders and, when it loads, the pipeline's session
 * decoder. No crash (exception other than CodecError) and no hang (input over 1 s) allowed.
 *
 * Deterministic: seed BMP_FUZZ_SEED (default below), BMP_FUZZ_ITERATIONS inputs (default 20,000).
 * A failure prints the seed and iteration of each finding; `npm run fuzz -- --seed S --start I
 * --iterations 1` reproduces one. The long runs are `npm run fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../services/codec/errors.js';
import { decodeBmpMessage } from '../../../services/codec/bmp/index.js';
import {
  codecTarget,
  describeFinding,
  fuzzLoop,
  generateInput,
  loadCorpus,
  makeTarget,
  runInput,
  type Corpus,
  type DecodeTarget,
  type FuzzFinding,
} from '../../fuzz/harness.js';
import { HAVE_TESTDATA } from '../capture/testdata.js';

const SEED = Number(process.env.BMP_FUZZ_SEED ?? 20_250_601);
const ITERATIONS = Number(process.env.BMP_FUZZ_ITERATIONS ?? 20_000);
const skip = !HAVE_TESTDATA && 'shared test data not found';

let corpus: Corpus | null = null;
function getCorpus(): Corpus {
  corpus ??= loadCorpus();
  return corpus;
}

test(`fuzz: ${ITERATIONS} mutated capture sessions, no crash and no hang`, { skip, timeout: 120_000 }, async (t) => {
  const target = await makeTarget('auto');
  const findings: FuzzFinding[] = [];
  const started = performance.now();
  const stats = fuzzLoop({ corpus: getCorpus(), target, seed: SEED, iterations: ITERATIONS, onFinding: (f) => findings.push(f) });
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `target ${target.name}, seed ${SEED}: ${stats.inputs} inputs, ${stats.messages} messages, ${stats.crashes} crashes, ${stats.hangs} hangs, ` +
      `slowest ${stats.slowestMs.toFixed(1)} ms, ${seconds.toFixed(1)} s`,
  );
  assert.equal(stats.inputs, ITERATIONS);
  const report = findings.slice(0, 5).map(describeFinding).join('\n');
  assert.equal(stats.crashes, 0, report);
  assert.equal(stats.hangs, 0, report);
});

test('fuzz harness: inputs are a pure function of seed and iteration', { skip }, () => {
  for (const iteration of [0, 1, 17, 123_456]) {
    const a = generateInput(getCorpus(), 42, iteration);
    const b = generateInput(getCorpus(), 42, iteration);
    assert.deepEqual(a, b);
  }
  const inputs = [0, 1, 2, 3].map((i) => generateInput(getCorpus(), 42, i).description);
  assert.equal(new Set(inputs).size, inputs.length, 'different iterations give different inputs');
  assert.notEqual(generateInput(getCorpus(), 1, 5).description, generateInput(getCorpus(), 2, 5).description);
});

test('fuzz harness: a non-CodecError is a crash, a CodecError is not, a slow input is a hang', { skip }, () => {
  const message = getCorpus().streams[0].messages[0];
  const input = { ...generateInput(getCorpus(), 7, 0), bytes: message, cuts: [3] };
  const throwing: DecodeTarget = {
    name: 'throwing',
    session: () => ({
      message: () => {
        throw new TypeError('boom');
      },
      framingError: () => undefined,
    }),
  };
  const crash = runInput(throwing, input).crash;
  assert.ok(crash !== null);
  assert.match(crash.message, /TypeError: boom/);
  // A Route Monitoring too short for its per-peer header: the codec throws CodecError, no crash.
  const short = Buffer.from('030000000a0000000000', 'hex');
  assert.throws(() => decodeBmpMessage(short), CodecError);
  assert.equal(runInput(codecTarget(), { ...input, bytes: short, cuts: [] }).crash, null);
  const findings: FuzzFinding[] = [];
  const slow: DecodeTarget = {
    name: 'slow',
    session: () => ({
      message: () => {
        const until = performance.now() + 3;
        while (performance.now() < until);
      },
      framingError: () => undefined,
    }),
  };
  const stats = fuzzLoop({ corpus: getCorpus(), target: slow, seed: 3, iterations: 20, hangMs: 1, onFinding: (f) => findings.push(f) });
  assert.ok(stats.hangs > 0);
  assert.ok(findings.every((f) => f.kind === 'hang' && f.seed === 3));
});
