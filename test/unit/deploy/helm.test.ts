/**
 * The Helm chart (deploy/helm/bmp-pipeline), checked offline: `helm lint --strict` and
 * `helm template` with the default and the production values, every rendered object validated
 * against the Kubernetes API schemas (kubernetes-models; prometheus-operator's for the
 * ServiceMonitor), and the properties the deployment depends on: router addresses survive the
 * load balancer, probes on the right paths and port, a termination grace period covering the
 * ingest grace period, consumers never more than partitions, credentials only in Secrets, a
 * NetworkPolicy for every workload, the environment the services' config schemas expect.
 *
 * Needs helm v3: scripts/ensure-helm.sh (run by .ci/run) provides .local-stack/bin/helm; BMP_HELM
 * names another binary. Without one every test fails, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parseDocument, isMap, isPair, isScalar, isSeq, visit, type Node as YamlNode } from 'yaml';
import type convict from 'convict';
import { loadConfig } from '../../../services/runtime/config.js';
import { ingestSchema } from '../../../services/ingest/config.js';
import { envNames, serviceCommand, serviceSchemas, sourceOf, TOPICS_JOB_ENTRY } from './service-schemas.js';
import { createTopicsSchema } from '../../../services/kafka/topic-plan.js';

const CHART = 'deploy/helm/bmp-pipeline';
const PRODUCTION = 'deploy/helm/values-production.yaml';
// The Kubernetes version the chart is rendered and linted for, without a cluster (Helm's own
// default depends on how the binary was built).
const KUBE_VERSION = '1.34.0';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

function findHelm(): string | null {
  const candidates = [process.env.BMP_HELM, resolve('.local-stack/bin/helm')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}
const helmBin = findHelm();
// Helm keeps caches and repository lists in its home directories: use a throwaway one.
const helmHome = mkdtempSync(join(tmpdir(), 'bmp-helm-'));
process.on('exit', () => rmSync(helmHome, { recursive: true, force: true }));

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assert.ok(helmBin, 'helm v3 not found: run scripts/ensure-helm.sh (CI does), or set BMP_HELM to a helm binary');
  const r = spawnSync(helmBin, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data') },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` with values files and --set flags; the parsed objects, or the error output. */
function render(valuesFiles: string[] = [], sets: string[] = []): { ok: boolean; objects: Manifest[]; stderr: string } {
  const args = ['template', 'bmp', CHART, '--namespace', 'bmp', '--kube-version', KUBE_VERSION, ...valuesFiles.flatMap((f) => ['-f', f]), ...sets.flatMap((s) => ['--set', s])];
  const r = helm(args);
  if (r.status !== 0) return { ok: false, objects: [], stderr: r.stderr };
  const objects = parseAllDocuments(r.stdout)
    .map((d) => {
      assert.equal(d.errors.length, 0, `rendered YAML parses: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Manifest | null;
    })
    .filter((o): o is Manifest => o !== null);
  return { ok: true, objects, stderr: r.stderr };
}

function rendered(valuesFiles: string[] = [], sets: string[] = []): Manifest[] {
  const r = render(valuesFiles, sets);
  assert.ok(r.ok, `helm template failed:\n${r.stderr}`);
  return r.objects;
}

const one = (objects: Manifest[], kind: string, name: string): Manifest => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name} (rendered: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found[0];
};
const all = (objects: Manifest[], kind: string): Manifest[] => objects.filter((o) => o.kind === kind);
const container = (workload: Manifest): any => workload.spec.template.spec.containers[0];

/** The kubernetes-models class of an object, or null for a kind the chart should not render. */
async function modelOf(apiVersion: string, kind: string): Promise<any> {
  const path =
    apiVersion === 'monitoring.coreos.com/v1'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`
      : `kubernetes-models/${apiVersion.includes('/') ? apiVersion : `v1`}/${kind}`;
  const mod = (await import(path)) as Record<string, unknown>;
  return mod[kind] ?? null;
}

async function assertValid(objects: Manifest[]): Promise<void> {
  assert.ok(objects.length > 0, 'something rendered');
  for (const o of objects) {
    const Model = await modelOf(o.apiVersion, o.kind);
    assert.ok(Model, `${o.apiVersion} ${o.kind} has a schema`);
    try {
      new Model(o).validate();
    } catch (err) {
      assert.fail(`${o.kind}/${o.metadata.name} does not match the ${o.apiVersion} ${o.kind} schema: ${(err as Error).message}`);
    }
  }
}

/** Environment a container gets from its ConfigMaps (envFrom) and literal env entries. */
function plainEnv(objects: Manifest[], c: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, one(objects, 'ConfigMap', from.configMapRef.name).data);
  }
  for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
  return env;
}

/** Does a NetworkPolicy's podSelector select pods with these labels? */
const selects = (policy: Manifest, labels: Record<string, string>): boolean =>
  Object.entries(policy.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

const variants: Array<{ name: string; files: string[] }> = [
  { name: 'default values', files: [] },
  { name: 'production values', files: [PRODUCTION] },
];

test('helm is available (scripts/ensure-helm.sh)', () => {
  const r = helm(['version', '--template', '{{.Version}}']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^v3\./, 'Helm 3');
});

for (const { name, files } of variants) {
  test(`helm lint --strict passes with the ${name}`, () => {
    const r = helm(['lint', '--strict', '--kube-version', KUBE_VERSION, CHART, ...files.flatMap((f) => ['-f', f])]);
    assert.equal(r.status, 0, `helm lint:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test(`every object rendered with the ${name} matches its Kubernetes API schema`, async () => {
    await assertValid(rendered(files));
  });

  test(`ingest with the ${name}: LoadBalancer keeping router addresses, probes, grace period, preStop`, () => {
    const objects = rendered(files);
    const svc = one(objects, 'Service', 'bmp-bmp-pipeline-ingest');
    assert.equal(svc.spec.type, 'LoadBalancer');
    assert.equal(svc.spec.externalTrafficPolicy, 'Local', 'no source NAT: routers keep their addresses');
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.port, p.targetPort]), [[1790, 'bmp']], 'only the BMP port on the load balancer');

    const deploy = one(objects, 'Deployment', 'bmp-bmp-pipeline-ingest');
    const c = container(deploy);
    assert.deepEqual(c.args, serviceCommand('ingest'));
    assert.ok(existsSync(sourceOf(c.args.at(-1))), 'the entry point is built from a source that exists');
    const env = plainEnv(objects, c);
    const ports = Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]));
    assert.equal(ports.http, Number(env.BMP_INGEST_HTTP_PORT), 'container http port is the service HTTP port');
    assert.equal(ports.bmp, Number(env.BMP_INGEST_PORT), 'container bmp port is the BMP listener port');
    assert.deepEqual([c.readinessProbe.httpGet.path, c.readinessProbe.httpGet.port], ['/readyz', 'http']);
    assert.deepEqual([c.livenessProbe.httpGet.path, c.livenessProbe.httpGet.port], ['/healthz', 'http']);

    const sleep = Number(c.lifecycle.preStop.exec.command[1]);
    assert.equal(c.lifecycle.preStop.exec.command[0], 'sleep');
    const graceMs = Number(env.BMP_INGEST_GRACE_PERIOD_MS);
    const total = deploy.spec.template.spec.terminationGracePeriodSeconds;
    assert.ok(total > sleep + graceMs / 1000, `terminationGracePeriodSeconds ${total} > preStop ${sleep}s + ingest grace ${graceMs} ms`);
    assert.ok(total <= sleep + Math.ceil(graceMs / 1000) + 30, `and only a small margin above (${total})`);
  });

  test(`the environment rendered with the ${name} is what the services' config schemas read, and valid`, () => {
    const objects = rendered(files);
    const ingest = container(one(objects, 'Deployment', 'bmp-bmp-pipeline-ingest'));
    const env = plainEnv(objects, ingest);
    const known = envNames(ingestSchema);
    for (const key of Object.keys(env)) if (key !== 'NODE_EXTRA_CA_CERTS') assert.ok(known.has(key), `${key} is an ingest config variable`);
    // Credentials come from the Secret; a placeholder stands in for them here.
    const withSecrets = { ...env, BMP_KAFKA_SASL_USERNAME: 'u', BMP_KAFKA_SASL_PASSWORD: 'p' };
    loadConfig(ingestSchema as unknown as convict.Schema<Record<string, unknown>>, { env: withSecrets });

    const job = container(one(objects, 'Job', 'bmp-bmp-pipeline-create-topics'));
    const jobEnv = plainEnv(objects, job);
    // The Job shares the common ConfigMap, whose registry address it has no use for.
    const jobKnown = new Set([...envNames(createTopicsSchema), 'BMP_REGISTRY_URL']);
    for (const key of Object.keys(jobEnv)) if (key !== 'NODE_EXTRA_CA_CERTS') assert.ok(jobKnown.has(key), `${key} is a create-topics config variable`);
    for (const key of ['BMP_KAFKA_BROKERS', 'BMP_TOPIC_PREFIX', 'BMP_TOPIC_PARTITIONS', 'BMP_TOPIC_RETENTION_MS', 'BMP_INGEST_RAW']) {
      assert.equal(jobEnv[key], env[key], `the Job creates topics as ingest expects them: ${key}`);
    }
    loadConfig(createTopicsSchema as unknown as convict.Schema<Record<string, unknown>>, { env: { ...jobEnv, BMP_KAFKA_SASL_USERNAME: 'u', BMP_KAFKA_SASL_PASSWORD: 'p' } });
  });

  test(`consumers with the ${name}: entry points, probes, replicas within partitions`, () => {
    const objects = rendered(files);
    const partitions = Number(one(objects, 'ConfigMap', 'bmp-bmp-pipeline-common').data.BMP_TOPIC_PARTITIONS);
    for (const [component, portVar] of [
      ['peer-state', 'BMP_PEER_STATE_HTTP_PORT'],
      ['route-changes', 'BMP_ROUTE_CHANGES_HTTP_PORT'],
    ]) {
      const deploy = one(objects, 'Deployment', `bmp-bmp-pipeline-${component}`);
      const c = container(deploy);
      assert.deepEqual(c.args, serviceCommand(component as 'peer-state' | 'route-changes'));
      assert.ok(deploy.spec.replicas >= 1 && deploy.spec.replicas <= partitions, `${component} replicas ${deploy.spec.replicas} <= ${partitions} partitions`);
      const env = plainEnv(objects, c);
      assert.equal(c.ports[0].containerPort, Number(env[portVar]), `${component} listens where its ${portVar} says`);
      const { schema } = serviceSchemas[component as 'peer-state' | 'route-changes'];
      const known = envNames(schema);
      for (const key of Object.keys(env)) if (key !== 'NODE_EXTRA_CA_CERTS') assert.ok(known.has(key), `${key} is a ${component} config variable`);
      loadConfig(schema as convict.Schema<Record<string, unknown>>, { env: { ...env, BMP_KAFKA_SASL_USERNAME: 'u', BMP_KAFKA_SASL_PASSWORD: 'p' } });
      assert.deepEqual([c.readinessProbe.httpGet.path, c.readinessProbe.httpGet.port], ['/readyz', 'http']);
      assert.deepEqual([c.livenessProbe.httpGet.path, c.livenessProbe.httpGet.port], ['/healthz', 'http']);
      const svc = one(objects, 'Service', `bmp-bmp-pipeline-${component}`);
      assert.equal(svc.spec.ports[0].targetPort, 'http');
    }
  });

  test(`every workload rendered with the ${name} has a NetworkPolicy, runs as non-root on a read-only root`, () => {
    const objects = rendered(files);
    const policies = all(objects, 'NetworkPolicy');
    const workloads = [...all(objects, 'Deployment'), ...all(objects, 'Job')];
    assert.equal(workloads.length, 4, 'ingest, peer-state, route-changes and the topic Job');
    for (const w of workloads) {
      const labels = w.spec.template.metadata.labels;
      const mine = policies.filter((p) => selects(p, labels));
      assert.equal(mine.length, 1, `${w.kind}/${w.metadata.name} is selected by one NetworkPolicy`);
      assert.ok(mine[0].spec.policyTypes.includes('Ingress'));
      const pod = w.spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
      assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.mountPath === '/tmp'), 'a writable /tmp for tsx');
    }
    const ingestPolicy = one(objects, 'NetworkPolicy', 'bmp-bmp-pipeline-ingest');
    const bmpRule = ingestPolicy.spec.ingress.find((r: any) => r.ports.some((p: any) => p.port === 'bmp'));
    assert.ok(bmpRule.from.every((f: any) => f.ipBlock?.cidr), 'the BMP port is open to router CIDRs only');
  });

  test(`the topic Job rendered with the ${name} is a hook running the build of scripts/create-topics.ts`, () => {
    const objects = rendered(files);
    const job = one(objects, 'Job', 'bmp-bmp-pipeline-create-topics');
    assert.match(job.metadata.annotations?.['helm.sh/hook'] ?? '', /post-install/);
    assert.match(job.metadata.annotations?.['helm.sh/hook'] ?? '', /post-upgrade/);
    assert.deepEqual(container(job).args, [TOPICS_JOB_ENTRY]);
    assert.ok(existsSync(sourceOf(TOPICS_JOB_ENTRY)));
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  });
}

test('default values: the expected objects, and no HPA or ServiceMonitor', () => {
  const kinds = rendered().map((o) => o.kind).sort();
  const count = (k: string): number => kinds.filter((x) => x === k).length;
  assert.equal(count('Deployment'), 3);
  assert.equal(count('Service'), 4, 'ingest BMP, ingest HTTP, peer-state, route-changes');
  assert.equal(count('ConfigMap'), 4);
  assert.equal(count('Secret'), 0, 'no credentials set, so no Secret');
  assert.equal(count('NetworkPolicy'), 4);
  assert.equal(count('Job'), 1);
  assert.equal(count('PodDisruptionBudget'), 1, 'ingest only: the consumers run one replica');
  assert.equal(count('HorizontalPodAutoscaler'), 0);
  assert.equal(count('ServiceMonitor'), 0);
});

test('production values: SASL_SSL with a CA file, HPA, ServiceMonitor, PDBs, anti-affinity, egress policy, no chart Secret', () => {
  const objects = rendered([PRODUCTION]);
  const common = one(objects, 'ConfigMap', 'bmp-bmp-pipeline-common').data;
  assert.equal(common.BMP_KAFKA_SSL, 'true');
  assert.match(common.BMP_KAFKA_SASL_MECHANISM, /^scram-sha-/);
  assert.match(common.BMP_REGISTRY_URL, /^https:/);
  assert.equal(all(objects, 'Secret').length, 0, 'credentials come from an existing Secret');

  const ingest = one(objects, 'Deployment', 'bmp-bmp-pipeline-ingest');
  assert.equal(ingest.spec.replicas, undefined, 'the HPA owns the replica count');
  const hpa = one(objects, 'HorizontalPodAutoscaler', 'bmp-bmp-pipeline-ingest');
  assert.equal(hpa.spec.scaleTargetRef.name, ingest.metadata.name);
  assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
  assert.ok(container(ingest).resources.requests.cpu, 'CPU request for the HPA');

  for (const w of all(objects, 'Deployment')) {
    const c = container(w);
    assert.ok(c.envFrom.some((f: any) => f.secretRef?.name === 'bmp-pipeline-credentials'), `${w.metadata.name} reads the credentials Secret`);
    assert.ok(c.env.some((e: any) => e.name === 'NODE_EXTRA_CA_CERTS' && e.value === '/etc/bmp-pipeline/ca/ca.crt'));
    assert.ok(w.spec.template.spec.volumes.some((v: any) => v.secret?.secretName === 'kafka-ca'), 'CA mounted as a file');
    assert.ok(w.spec.template.spec.affinity?.podAntiAffinity, `${w.metadata.name} anti-affinity`);
    assert.ok(c.resources.requests && c.resources.limits, `${w.metadata.name} resources`);
    one(objects, 'PodDisruptionBudget', w.metadata.name);
  }
  const monitor = one(objects, 'ServiceMonitor', 'bmp-bmp-pipeline');
  const httpServices = all(objects, 'Service').filter((s) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
  assert.equal(httpServices.length, 3, 'the ServiceMonitor scrapes the HTTP Service of each component');
  for (const s of httpServices) assert.equal(s.spec.type, 'ClusterIP');
  assert.deepEqual(monitor.spec.endpoints.map((e: any) => [e.port, e.path]), [['http', '/metrics']]);
  for (const p of all(objects, 'NetworkPolicy')) assert.ok(p.spec.policyTypes.includes('Egress') && p.spec.egress.length === 2, `${p.metadata.name} egress`);
});

test('consumer replicas above the topic partitions stop rendering with a clear message', () => {
  for (const [key, replicas] of [
    ['peerState', 7],
    ['routeChanges', 9],
  ] as const) {
    const r = render([], ['topics.partitions=6', `${key}.replicas=${replicas}`]);
    assert.equal(r.ok, false, `${key}.replicas=${replicas} with 6 partitions must not render`);
    assert.match(r.stderr, new RegExp(`${key}\\.replicas \\(${replicas}\\) exceeds topics\\.partitions \\(6\\)`));
  }
  // Equal is fine, and a disabled consumer is not checked.
  assert.equal(one(rendered([], ['topics.partitions=6', 'peerState.replicas=6']), 'Deployment', 'bmp-bmp-pipeline-peer-state').spec.replicas, 6);
  assert.ok(render([], ['topics.partitions=2', 'routeChanges.enabled=false', 'routeChanges.replicas=5']).ok);
  // The production values sit at the limit only if someone raises replicas: 25 > 24 fails.
  assert.equal(render([PRODUCTION], ['routeChanges.replicas=25']).ok, false);
});

test('the ingest termination grace period follows ingest.gracePeriodMs', () => {
  const objects = rendered([], ['ingest.gracePeriodMs=60500', 'ingest.preStopSleepSeconds=7', 'ingest.terminationMarginSeconds=3']);
  const deploy = one(objects, 'Deployment', 'bmp-bmp-pipeline-ingest');
  assert.equal(deploy.spec.template.spec.terminationGracePeriodSeconds, 7 + 61 + 3);
  assert.equal(plainEnv(objects, container(deploy)).BMP_INGEST_GRACE_PERIOD_MS, '60500');
  assert.deepEqual(container(deploy).lifecycle.preStop.exec.command, ['sleep', '7']);
});

test('router addresses: Cluster traffic policy needs PROXY protocol from trusted proxies', () => {
  const lost = render([], ['ingest.service.externalTrafficPolicy=Cluster']);
  assert.equal(lost.ok, false);
  assert.match(lost.stderr, /router/);
  const untrusted = render([], ['ingest.service.externalTrafficPolicy=Cluster', 'ingest.proxyProtocol=required']);
  assert.equal(untrusted.ok, false);
  assert.match(untrusted.stderr, /trustedProxies/);
  const objects = rendered([], ['ingest.service.externalTrafficPolicy=Cluster', 'ingest.proxyProtocol=required', 'ingest.trustedProxies={10.1.0.0/16}']);
  assert.equal(one(objects, 'Service', 'bmp-bmp-pipeline-ingest').spec.externalTrafficPolicy, 'Cluster');
  const env = plainEnv(objects, container(one(objects, 'Deployment', 'bmp-bmp-pipeline-ingest')));
  assert.equal(env.BMP_INGEST_PROXY_PROTOCOL, 'required');
  assert.equal(env.BMP_INGEST_TRUSTED_PROXIES, '10.1.0.0/16');
});

test('credentials go to the Secret and reach the pods from it, never through a ConfigMap', () => {
  const sets = ['kafka.sasl.mechanism=scram-sha-512', 'kafka.sasl.username=collector', 'kafka.sasl.password=KafkaS3cret', 'registry.username=reader', 'registry.password=RegistryS3cret'];
  const objects = rendered([], sets);
  for (const cm of all(objects, 'ConfigMap')) {
    const text = JSON.stringify(cm.data);
    assert.ok(!/KafkaS3cret|RegistryS3cret/.test(text), `${cm.metadata.name} holds no password`);
    assert.ok(!Object.keys(cm.data).some((k) => /PASSWORD|USERNAME/.test(k)), `${cm.metadata.name} holds no credential keys`);
  }
  const secret = one(objects, 'Secret', 'bmp-bmp-pipeline-credentials');
  assert.equal(secret.stringData.BMP_KAFKA_SASL_PASSWORD, 'KafkaS3cret');
  assert.equal(secret.stringData.BMP_REGISTRY_PASSWORD, 'RegistryS3cret');
  for (const w of [...all(objects, 'Deployment'), ...all(objects, 'Job')]) {
    assert.ok(container(w).envFrom.some((f: any) => f.secretRef?.name === secret.metadata.name), `${w.metadata.name} reads the Secret`);
  }
  // A SASL mechanism without a password (and no existing Secret) is refused.
  const missing = render([], ['kafka.sasl.mechanism=plain']);
  assert.equal(missing.ok, false);
  assert.match(missing.stderr, /kafka\.sasl\.password is empty/);
});

test('autoscaling ingest without a CPU request is refused', () => {
  const r = render([], ['ingest.autoscaling.enabled=true']);
  assert.equal(r.ok, false);
  assert.match(r.stderr, /resources\.requests\.cpu/);
});

test('every value in values.yaml is documented by a comment', () => {
  const doc = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
  const undocumented: string[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      if (!isScalar(pair.key)) return;
      const value = pair.value as YamlNode | null;
      const isLeaf = !isMap(value) || value.items.length === 0 || isSeq(value);
      if (!isLeaf) return;
      // A pair is documented by a comment on itself, or on an enclosing key (a structured value
      // such as podSecurityContext is documented as a whole). The first key of a nested map
      // carries its comment on the map.
      const keys: string[] = [];
      let documented = false;
      const chain = [...path, pair];
      for (let i = 0; i < chain.length; i++) {
        const node = chain[i];
        if (!isPair(node) || !isScalar(node.key)) continue;
        keys.push(String(node.key.value));
        const parent = chain[i - 1];
        const firstOfMap = isMap(parent) && parent.items[0] === node && Boolean(parent.commentBefore);
        if (node.key.commentBefore || firstOfMap) documented = true;
      }
      if (!documented) undocumented.push(keys.join('.'));
    },
  });
  assert.deepEqual(undocumented, [], 'values without a comment');
});
