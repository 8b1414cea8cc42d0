/**
 * The production build (`npm run build`, tsconfig.build.json): the image, the Helm chart, the
 * compose file and `npm start` run its JavaScript, not the sources. Built here into a directory of
 * its own below the repository (so that, as dist/ does, it finds package.json, the schemas and
 * node_modules above it), it must hold every entry point they name, and the built code must run:
 * each service answers --print-config, and a decode worker started from the build loads the
 * worker's JavaScript and turns a capture into records.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { fullTableDump } from '../../../bench/full-table.js';
import { PackedRecords, SESSION_TOPICS } from '../../../services/ingest/decode-worker-protocol.js';
import { LocalSessionProcessor, type ProcessorHandler } from '../../../services/ingest/session-processor.js';
import { INGEST_TOPICS, type IngestTopic } from '../../../services/kafka/avro/index.js';
import { serviceCommand, serviceSchemas, sourceOf, TOPICS_JOB_ENTRY } from './service-schemas.js';

const ROOT = resolve('.');
const OUT = join(ROOT, '.local-stack', `build-test-${process.pid}`);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

before(() => {
  mkdirSync(join(ROOT, '.local-stack'), { recursive: true });
  const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc -p tsconfig.build.json failed:\n${r.stdout}${r.stderr}`);
});
after(() => rmSync(OUT, { recursive: true, force: true }));

/** Where `entry` (a path below dist/) is in this test's build. */
const built = (entry: string): string => {
  assert.match(entry, /^dist\/.*\.js$/, `${entry} is a path of the build`);
  return join(OUT, entry.slice('dist/'.length));
};

test('npm run build is tsc with tsconfig.build.json into dist/', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.build, /tsc -p tsconfig\.build\.json/);
  const config = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
  assert.deepEqual([config.compilerOptions.outDir, config.compilerOptions.rootDir], ['dist', '.']);
});

for (const [name, { entry, nodeFlags }] of Object.entries(serviceSchemas)) {
  test(`the build holds ${name}'s entry point ${entry}, and it answers --print-config (node flags: ${nodeFlags.join(' ') || 'none'})`, () => {
    assert.ok(existsSync(sourceOf(entry)), `its source ${sourceOf(entry)} exists`);
    // With its node flags, as it is deployed: node refuses a flag it does not know.
    const r = spawnSync(process.execPath, [...nodeFlags, built(entry), '--print-config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BMP_LOG_LEVEL: 'warn' } });
    assert.equal(r.status, 0, r.stderr);
    const config = JSON.parse(r.stdout) as { http?: unknown; kafka?: unknown };
    assert.ok(config.kafka !== undefined && config.http !== undefined, 'the whole configuration is printed');
  });
}

test("the image's default command and npm start run each service with its node flags", () => {
  // The image: ENTRYPOINT node, CMD ingest (compose and the Helm chart are checked in their tests).
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'));
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd[1]), serviceCommand('ingest'));
  // npm start (deploy/local/pipeline): name:entry:port variable:default port:flags.
  const pipeline = readFileSync('deploy/local/pipeline', 'utf8');
  for (const name of Object.keys(serviceSchemas) as Array<keyof typeof serviceSchemas>) {
    const line = new RegExp(`^\\s*"${name}:([^"]*)"$`, 'm').exec(pipeline);
    assert.ok(line, `deploy/local/pipeline starts ${name}`);
    const [entry, , , flags = ''] = line[1].split(':');
    assert.deepEqual([...flags.split(' ').filter(Boolean), entry], serviceCommand(name), `${name} in deploy/local/pipeline`);
  }
});

test(`the build holds the topic job's entry point ${TOPICS_JOB_ENTRY}`, () => {
  assert.ok(existsSync(built(TOPICS_JOB_ENTRY)));
  assert.ok(existsSync(sourceOf(TOPICS_JOB_ENTRY)));
});

test('a decode worker started from the build publishes what the sources publish (its JavaScript, not tsx)', async () => {
  const builtWorkers = (await import(pathToFileURL(built('dist/services/ingest/decode-workers.js')).href)) as typeof import('../../../services/ingest/decode-workers.js');
  const stream = Buffer.concat([...fullTableDump({ prefixesV4: 300, prefixesV6: 100, peers: 2 })]);
  const schemaIds = Object.fromEntries(INGEST_TOPICS.map((t, i) => [t, i + 1])) as Record<IngestTopic, number>;
  const options = { routerAddress: '192.0.2.1', routerPort: 179, collectorId: 'build-test', maxMessageBytes: 1 << 20, raw: true, schemaIds };
  const collect = (): { records: string[]; handler: ProcessorHandler; done: Promise<void> } => {
    const records: string[] = [];
    let handler!: ProcessorHandler;
    const done = new Promise<void>((resolveDone, reject) => {
      handler = {
        records: (packed, keys) => {
          const run = new PackedRecords(packed, keys, SESSION_TOPICS);
          for (let i = 0; i < run.length; i++) {
            const { topic, key, value } = run.record(i);
            // Route and peer events only: raw and router records carry the collector's clock.
            if (topic !== 'raw' && topic !== 'router') records.push(`${topic} ${String(key)} ${value.toString('hex')}`);
          }
        },
        processed: (report) => void (report.finished && resolveDone()),
        lost: reject,
      };
    });
    return { records, handler, done };
  };
  const fromSources = collect();
  const local = new LocalSessionProcessor(options, fromSources.handler);
  local.push(stream);
  local.finish('router closed the session');
  await fromSources.done;

  const workers = new builtWorkers.DecodeWorkers(1, pino({ level: 'silent' }));
  try {
    await workers.start();
    const fromBuild = collect();
    const processor = workers.open(options, fromBuild.handler);
    processor.push(stream);
    processor.finish('router closed the session');
    await fromBuild.done;
    assert.ok(fromSources.records.length > 400, `${fromSources.records.length} records`);
    assert.deepEqual(fromBuild.records, fromSources.records);
  } finally {
    await workers.stop();
  }
});
