// deploy/kubernetes/*.yaml: every document valid for its kind (schema and strict fields), and the
// manifests agreeing with each other, with the image (Dockerfile) and with the gateway's code: probe
// paths, ports, user, the environment the pod gets (every variable known to src/config/env.ts and the
// whole of it accepted by parseEnv), shutdown timings against the grace period, Redis' address.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildConfig, envSchema, parseEnv } from '../../src/server/config';
import { HEALTH_PATHS } from '../../src/observability/health';
import { parseDockerfile } from './dockerfile-steps';
import { manifestProblems } from './kubernetes-schema';

const DIR = 'deploy/kubernetes';

interface Doc {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // The manifests are read as data; the cross-checks below reach into them by exact field names.
  [key: string]: unknown;
}

function loadManifests(): Doc[] {
  const docs: Doc[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
    for (const document of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      expect(document.errors, file).toEqual([]);
      docs.push({ ...(document.toJS() as Doc), file });
    }
  }
  return docs;
}

const docs = loadManifests();

function find(kind: string, name: string): Doc {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (doc === undefined) throw new Error(`no ${kind} ${name} in ${DIR}`);
  return doc;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- manifest documents are untyped YAML data */
const deployment: any = find('Deployment', 'bff-gateway');
const service: any = find('Service', 'bff-gateway');
const pdb: any = find('PodDisruptionBudget', 'bff-gateway');
const hpa: any = find('HorizontalPodAutoscaler', 'bff-gateway');
const configMap: any = find('ConfigMap', 'bff-gateway');
const secret: any = find('Secret', 'bff-gateway');
const redisService: any = find('Service', 'bff-redis');
const redisDeployment: any = find('Deployment', 'bff-redis');
const pod: any = deployment.spec.template;
const container: any = pod.spec.containers.find((c: any) => c.name === 'gateway');
/* eslint-enable @typescript-eslint/no-explicit-any */

const runtimeStage = parseDockerfile(readFileSync('Dockerfile', 'utf8')).stages.at(-1);
const imageEnv: Record<string, string> = Object.assign({}, ...(runtimeStage?.steps ?? []).flatMap((s) => (s.kind === 'ENV' ? [s.vars] : [])));
const imageUser = runtimeStage?.steps.flatMap((s) => (s.kind === 'USER' ? [s.user] : [])).at(-1);
const imageWorkdir = runtimeStage?.steps.flatMap((s) => (s.kind === 'WORKDIR' ? [s.path] : [])).at(-1);

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Every variable the gateway container gets from the Deployment: env, and the ConfigMap and Secret of envFrom. */
function deploymentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, find('ConfigMap', from.configMapRef.name)['data']);
    if (from.secretRef) {
      const s = find('Secret', from.secretRef.name);
      Object.assign(env, s['stringData'], Object.fromEntries(Object.entries((s['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])));
    }
  }
  for (const e of container.env ?? []) env[e.name] = e.value ?? '';
  return env;
}

describe('Kubernetes manifests', () => {
  it('every document is valid for its kind: schema and strict fields', () => {
    expect(docs.map((d) => `${d.file}: ${d.apiVersion}/${d.kind} ${d.metadata.name}`)).toEqual([
      'configmap.yaml: v1/ConfigMap bff-gateway',
      'deployment.yaml: apps/v1/Deployment bff-gateway',
      'hpa.yaml: autoscaling/v2/HorizontalPodAutoscaler bff-gateway',
      'pdb.yaml: policy/v1/PodDisruptionBudget bff-gateway',
      'redis.yaml: apps/v1/Deployment bff-redis',
      'redis.yaml: v1/Service bff-redis',
      'secret.example.yaml: v1/Secret bff-gateway',
      'service.yaml: v1/Service bff-gateway',
    ]);
    for (const doc of docs) {
      const { file: _file, ...document } = doc;
      expect(manifestProblems(document)).toEqual([]);
    }
  });

  it('the validation fails on a wrong type, a missing field, a misspelt field and an unknown kind', () => {
    const { file: _file, ...document } = deployment;
    const copy = () => JSON.parse(JSON.stringify(document));
    const wrongType = copy();
    wrongType.spec.replicas = 'two';
    expect(manifestProblems(wrongType)).toEqual(['apps/v1/Deployment bff-gateway: data/spec/replicas must be integer']);
    const missing = copy();
    delete missing.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    expect(manifestProblems(missing)).toEqual(['apps/v1/Deployment bff-gateway: data/spec/template/spec/containers/0/readinessProbe/httpGet must have required property port']);
    const misspelt = copy();
    misspelt.spec.template.spec.containers[0].readinessProbes = misspelt.spec.template.spec.containers[0].readinessProbe;
    misspelt.spec.template.spec.terminationGracePeriod = 30;
    expect(manifestProblems(misspelt)).toEqual([
      'apps/v1/Deployment bff-gateway: .spec.template.spec.containers[0].readinessProbes: unknown field',
      'apps/v1/Deployment bff-gateway: .spec.template.spec.terminationGracePeriod: unknown field',
    ]);
    expect(manifestProblems({ ...copy(), apiVersion: 'extensions/v1beta1' })[0]).toMatch(/^extensions\/v1beta1\/Deployment bff-gateway: no schema for/);
  });

  it('kustomization.yaml applies every manifest but the Secret template', () => {
    const kustomization = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] };
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('the Service, the PodDisruptionBudget and the autoscaler select the Deployment’s pods', () => {
    const labels = pod.metadata.labels as Record<string, string>;
    expect(matches(deployment.spec.selector.matchLabels, labels)).toBe(true);
    expect(matches(service.spec.selector, labels)).toBe(true);
    expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    // Redis' pods are not the gateway's.
    expect(matches(service.spec.selector, redisDeployment.spec.template.metadata.labels)).toBe(false);
    // The Service's target port is a container port, the one the image listens on (its ENV PORT).
    const http = container.ports.find((p: { name: string }) => p.name === service.spec.ports[0].targetPort);
    expect(http?.containerPort).toBe(Number(imageEnv['PORT']));
    // A voluntary disruption stays possible at the autoscaler's floor.
    expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.minAvailable);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } }]);
  });

  it('probes use the gateway’s health paths on its http port', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: HEALTH_PATHS.ready, port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATHS.live, port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: HEALTH_PATHS.live, port: 'http' });
  });

  it('every variable the Deployment sets is one src/config/env.ts knows, and the whole environment passes its validation', () => {
    const env = deploymentEnv();
    const known = new Set(Object.keys(envSchema.shape));
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(env).length).toBeGreaterThan(10);
    // What the pod gets: the image's ENV, then the Deployment's.
    const parsed = parseEnv({ ...imageEnv, ...env });
    expect(parsed.NODE_ENV).toBe('production');
    expect(parsed.DEMO).toBe(false);
    expect(parsed.REDIS_URL).toBeDefined();
  });

  it('the grace period outlasts drain + in-flight timeout + closing, and the timeout covers the request deadline', () => {
    const config = buildConfig(parseEnv({ ...imageEnv, ...deploymentEnv() }));
    const closeGraceMs = 5000; // CLOSE_GRACE_MS of src/server/shutdown.ts: closing Redis, pools, telemetry
    expect(config.shutdown).toEqual({ drainMs: 5000, timeoutMs: 10_000 });
    expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdown.drainMs + config.shutdown.timeoutMs + closeGraceMs);
    expect(config.shutdown.timeoutMs).toBeGreaterThanOrEqual(config.requestDeadlineMs);
    // No preStop: its time would count against the same grace period, and the drain already covers it.
    expect(container.lifecycle).toBeUndefined();
  });

  it('runs as the image’s non-root user with a read-only root filesystem and writable scratch dirs', () => {
    const [uid, gid] = (imageUser ?? '').split(':').map(Number);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ [`${imageWorkdir}/.next/cache`]: 'next-cache', '/tmp': 'tmp' });
    for (const name of Object.values(mounts)) expect(pod.spec.volumes.find((v: { name: string }) => v.name === name)?.emptyDir).toBeDefined();
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
  });

  it('Prometheus scrapes the metrics listener the ConfigMap opens, and REDIS_URL names the Redis Service', () => {
    const env = deploymentEnv();
    const metrics = container.ports.find((p: { name: string }) => p.name === 'metrics');
    expect(metrics?.containerPort).toBe(Number(env['METRICS_PORT']));
    expect(env['METRICS_HOST']).toBe('0.0.0.0');
    expect(pod.metadata.annotations['prometheus.io/port']).toBe(env['METRICS_PORT']);
    expect(service.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['http']);
    const redis = new URL(env['REDIS_URL'] ?? '');
    expect([redis.hostname, Number(redis.port)]).toEqual([redisService.metadata.name, redisService.spec.ports[0].port]);
    expect(secret.stringData['REDIS_URL']).toBe(env['REDIS_URL']);
    expect(configMap.data['REDIS_URL']).toBeUndefined();
  });
});
