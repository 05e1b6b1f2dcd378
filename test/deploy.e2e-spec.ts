/**
 * The deployment files under deploy/ against the real application: the Dockerfiles, the compose file
 * with Prometheus and Grafana, and the Kubernetes manifests. Ports, probe paths, the scraped metric
 * and shutdown times are checked against what the app really serves and what its configuration loader
 * accepts, not against copies of the numbers.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import { loadRegistry } from '../src/checkpoints/checkpoint-registry';
import { loadAppConfig, type AppConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { tracingRequested } from '../src/observability/tracing/tracing-sdk';
import { testAppConfig } from './support/test-app-config';
import { waitUntilReady } from './support/wait-until-ready';

const ROOT = resolve(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const K8S = join(DEPLOY, 'k8s');
/** The app's own defaults (open mode only so that the loader does not ask for keys). */
const DEFAULTS = loadAppConfig({ AFD_ALLOW_OPEN: 'true' });

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (path: string): string => readFileSync(path, 'utf8');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Every document of a YAML file, as plain data; parse errors fail the caller. */
function yamlDocuments(path: string): Json[] {
  const documents = parseAllDocuments(text(path), { merge: true });
  if (!Array.isArray(documents)) return [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${relative(ROOT, path)}: ${document.errors.map((e) => e.message).join('; ')}`);
  }
  return documents.map((d) => obj(d.toJS())).filter((d) => Object.keys(d).length > 0);
}

/** The app configuration a set of environment variables gives, keys and registry files aside. */
function configFrom(env: Record<string, string | undefined>): AppConfig {
  return loadAppConfig({ ...env, AFD_API_KEYS_FILE: undefined, AFD_API_KEYS: undefined, AFD_ALLOW_OPEN: 'true' });
}

// ---- Dockerfiles ----

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
function dockerInstructions(path: string): Instruction[] {
  const joined = text(path)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
      return { keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim() };
    });
}

const DOCKERFILES = { cpu: join(DEPLOY, 'docker', 'Dockerfile.cpu'), cuda: join(DEPLOY, 'docker', 'Dockerfile.cuda') } as const;

// ---- Kubernetes ----

interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Json;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: Json;
  containers: Container[];
  volumes?: Array<{ name: string } & Json>;
  nodeSelector?: Record<string, string>;
  tolerations?: Json[];
}
interface Deployment {
  metadata: { name: string };
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

function kustomization(dir: string): Json {
  return yamlDocuments(join(dir, 'kustomization.yaml'))[0] ?? {};
}

/** The resources a kustomization lists, recursively through directories (base first). */
function kustomizeResources(dir: string): Json[] {
  return list(kustomization(dir)['resources']).flatMap((entry) => {
    const path = join(dir, String(entry));
    return statSync(path).isDirectory() ? kustomizeResources(path) : yamlDocuments(path);
  });
}

/**
 * A strategic-merge patch as these overlays use it: maps merge key by key, lists of named items
 * (containers, env, ports, volumes) merge by name, other lists and scalars replace.
 */
function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (items: unknown[]) => items.every((item) => typeof obj(item)['name'] === 'string');
    if (!named(base) || !named(patch)) return patch;
    const merged = base.map((item) => {
      const update = patch.find((p) => obj(p)['name'] === obj(item)['name']);
      return update === undefined ? item : strategicMerge(item, update);
    });
    return [...merged, ...patch.filter((p) => !base.some((item) => obj(item)['name'] === obj(p)['name']))];
  }
  if (Object.keys(obj(base)).length > 0 && Object.keys(obj(patch)).length > 0) {
    const result: Json = { ...obj(base) };
    for (const [key, value] of Object.entries(obj(patch))) result[key] = key in result ? strategicMerge(result[key], value) : value;
    return result;
  }
  return patch;
}

/** The resources an overlay produces: the base's, with the overlay's patches merged into the same kind and name. */
function overlayResources(dir: string): Json[] {
  const patches = list(kustomization(dir)['patches']).flatMap((p) => yamlDocuments(join(dir, String(obj(p)['path']))));
  return kustomizeResources(dir).map((resource) => {
    const meta = (r: Json) => `${String(r['kind'])}/${String(obj(r['metadata'])['name'])}`;
    return patches.filter((p) => meta(p) === meta(resource)).reduce<Json>((r, p) => obj(strategicMerge(r, p)), resource);
  });
}

const ofKind = <T>(resources: Json[], kind: string): T[] => resources.filter((r) => r['kind'] === kind) as unknown as T[];
function onlyOne<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0] as T;
}

function apiContainer(deployment: Deployment): Container {
  return onlyOne(deployment.spec.template.spec.containers, 'container');
}

/** The container's plain env values; values from Secrets come from the example Secret's placeholders. */
function containerEnv(container: Container, secretData: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secretData[e.valueFrom.secretKeyRef.key] ?? '';
  }
  return env;
}

function containerPort(container: Container, port: string | number): number | undefined {
  if (typeof port === 'number') return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const baseResources = kustomizeResources(join(K8S, 'base'));
const baseDeployment = onlyOne(ofKind<Deployment>(baseResources, 'Deployment'), 'Deployment');
const exampleSecret = onlyOne(yamlDocuments(join(K8S, 'base', 'secret.example.yaml')), 'example Secret');
const secretData = obj(exampleSecret['stringData']) as Record<string, string>;

describe('deploy/', () => {
  it('has only YAML files that parse', () => {
    const files = filesUnder(DEPLOY, /\.ya?ml$/);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(() => yamlDocuments(file)).not.toThrow();
  });

  describe('Dockerfiles', () => {
    it.each(Object.entries(DOCKERFILES))('%s: runs dist/main.js as a numeric non-root user, without --allow-open', (_kind, path) => {
      const instructions = dockerInstructions(path);
      const last = (keyword: string) => [...instructions].reverse().find((i) => i.keyword === keyword)?.args ?? '';
      expect(text(path)).not.toContain('--allow-open');
      expect(JSON.parse(last('CMD'))).toEqual(['node', 'dist/main.js']);
      const user = last('USER');
      expect(user).toMatch(/^\d+(:\d+)?$/);
      expect(Number(user.split(':')[0])).toBeGreaterThan(0);
      expect(last('STOPSIGNAL')).toBe('SIGTERM');
      expect(last('EXPOSE').split(/\s+/).map(Number).sort()).toEqual([DEFAULTS.http.port, DEFAULTS.grpc.port].sort());
      expect(last('HEALTHCHECK')).toContain('/health/live');
      expect(last('VOLUME')).toContain('/models');
      expect(instructions.some((i) => i.keyword === 'ENV' && /\bAFD_MODELS_DIR=\/models\b/.test(i.args))).toBe(true);
    });

    it.each(Object.entries(DOCKERFILES))('%s: builds in a stage of its own and ships dist/, node_modules/, proto/ and package.json', (_kind, path) => {
      const instructions = dockerInstructions(path);
      const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
      expect(runs.some((r) => /\bnpm run build\b/.test(r) && /\bnpm prune --omit=dev\b/.test(r))).toBe(true);
      // The runtime stage is the last FROM; what it copies from the build stage.
      const runtime = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf('FROM'));
      const copied = runtime.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args.split(/\s+/)[1]);
      expect(copied).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/proto', '/app/package.json']));
      // Every file the build stage copies from the context exists in the repository and is not dockerignored.
      const ignored = text(join(ROOT, '.dockerignore')).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
      for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
          expect(ignored).not.toContain(source);
        }
      }
    });

    it('installs the CUDA add-on in the CUDA image only, on a CUDA 12 / cuDNN 9 base', () => {
      expect(text(DOCKERFILES.cuda)).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci/);
      expect(text(DOCKERFILES.cpu)).not.toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
      expect(text(DOCKERFILES.cuda)).toMatch(/nvidia\/cuda:12\.[\d.]+-cudnn-runtime/);
      expect(text(DOCKERFILES.cuda)).toMatch(/COPY --from=\S+ \/usr\/local\/bin\/node \/usr\/local\/bin\/node/);
      // .npmrc keeps skipping it for everyone else.
      expect(text(join(ROOT, '.npmrc'))).toMatch(/^onnxruntime-node-install=skip$/m);
    });

    it('leaves build outputs, models and the git directory out of the build context', () => {
      const ignored = text(join(ROOT, '.dockerignore')).split('\n').map((l) => l.trim());
      expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'models', 'coverage', 'bench-results', '.git']));
    });
  });

  describe('compose.yaml', () => {
    const compose = obj(parse(text(join(DEPLOY, 'compose.yaml')), { merge: true }));
    const services = obj(compose['services']);
    const service = (name: string) => obj(services[name]);
    const apiImage = service('api')['image'];
    const apiServices = Object.keys(services).filter((name) => service(name)['image'] === apiImage);
    const env = (name: string) => obj(service(name)['environment']) as Record<string, string>;
    /** `host:container` port mappings of a service, as [host, container] numbers. */
    const ports = (name: string) => list(service(name)['ports']).map((p) => String(p).split(':').map(Number) as [number, number]);
    const seconds = (duration: unknown) => {
      const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(duration)) as RegExpExecArray;
      return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
    };

    it('has the api (two replicas of one image), redis, prometheus and grafana services', () => {
      expect(Object.keys(services)).toEqual(expect.arrayContaining(['api', 'api-2', 'redis', 'prometheus', 'grafana']));
      expect(apiServices.sort()).toEqual(['api', 'api-2']);
      const build = obj(service('api')['build']);
      expect(existsSync(join(DEPLOY, String(build['context']), String(build['dockerfile'])))).toBe(true);
      expect(join(DEPLOY, String(build['context']), String(build['dockerfile']))).toBe(DOCKERFILES.cpu);
    });

    it.each(['api', 'api-2'])('%s: an environment the app accepts, its ports, a liveness healthcheck and a stop grace covering the shutdown', (name) => {
      const config = configFrom(env(name));
      expect([config.http.port, config.grpc.port]).toEqual([DEFAULTS.http.port, DEFAULTS.grpc.port]);
      expect(ports(name).map(([, container]) => container).sort()).toEqual([config.http.port, config.grpc.port].sort());
      // Open mode is explicit, never implied by a command-line flag.
      expect(env(name)['AFD_ALLOW_OPEN']).toBe('true');
      expect(JSON.stringify(service(name)['command'] ?? '')).not.toContain('--allow-open');
      expect(JSON.stringify(obj(service(name)['healthcheck'])['test'])).toContain('/health/live');
      expect(seconds(service(name)['stop_grace_period'])).toBeGreaterThanOrEqual((2 * config.shutdown.graceMs) / 1000 + 10);
      // Redis is the compose service.
      expect(Object.keys(services)).toContain(new URL(String(config.redis.url)).hostname);
    });

    it('caps Redis memory with writes refused past it (BullMQ needs noeviction), above the images the replicas keep there', () => {
      const args = list(service('redis')['command']).map(String);
      const setting = (name: string) => args[args.indexOf(`--${name}`) + 1];
      expect(setting('maxmemory-policy')).toBe('noeviction');
      const maxmemory = /^(\d+)mb$/.exec(String(setting('maxmemory')));
      expect(maxmemory).not.toBeNull();
      // With AFD_JOBS=redis the replicas' images take at most AFD_REDIS_RESULT_STORE_MB: half of Redis or less, the rest for states, queues and counters.
      const distributed = configFrom({ ...env('api'), AFD_JOBS: 'redis' }).distributed!;
      expect(distributed.resultStoreBytes).toBeLessThanOrEqual((Number(maxmemory![1]) * 1024 * 1024) / 2);
    });

    it('publishes each replica on its own host ports', () => {
      const hostPorts = apiServices.flatMap((name) => ports(name).map(([host]) => host));
      expect(new Set(hostPorts).size).toBe(hostPorts.length);
    });

    it('has Prometheus scrape /metrics on every api replica at its HTTP port', () => {
      const mount = list(service('prometheus')['volumes']).map(String).find((v) => v.includes('/etc/prometheus/prometheus.yml')) as string;
      const prometheus = obj(parse(text(join(DEPLOY, mount.split(':')[0] as string))));
      const jobs = list(prometheus['scrape_configs']).map(obj);
      const job = onlyOne(jobs, 'scrape job');
      expect(job['metrics_path'] ?? '/metrics').toBe('/metrics');
      const targets = list(job['static_configs']).flatMap((c) => list(obj(c)['targets']).map(String));
      expect(targets.sort()).toEqual(apiServices.map((name) => `${name}:${configFrom(env(name)).http.port}`).sort());
    });

    it('has Prometheus load the alert rules mounted beside its configuration', () => {
      const mounts = list(service('prometheus')['volumes']).map((v) => String(v).split(':'));
      const [configHost] = mounts.find(([, inside]) => inside === '/etc/prometheus/prometheus.yml') as string[];
      const ruleFiles = list(obj(parse(text(join(DEPLOY, configHost as string))))['rule_files']).map(String);
      expect(ruleFiles).toEqual(['afd-alerts.rules.yml']);
      for (const file of ruleFiles) {
        const host = mounts.find(([, inside]) => inside === posix.join('/etc/prometheus', file))?.[0];
        expect([file, host && resolve(DEPLOY, host)]).toEqual([file, join(DEPLOY, 'prometheus', 'afd-alerts.rules.yml')]);
      }
    });

    it('sends the replicas\' traces to the Tempo service, which Grafana provisions for the dashboard\'s Traces row', () => {
      const tempoMount = list(service('tempo')['volumes']).map((v) => String(v).split(':')).find(([, inside]) => inside === '/etc/tempo.yaml');
      expect(list(service('tempo')['command']).map(String)).toContain('-config.file=/etc/tempo.yaml');
      const tempo = obj(parse(text(join(DEPLOY, tempoMount?.[0] as string))));
      const receiver = String(obj(obj(obj(obj(obj(tempo['distributor'])['receivers'])['otlp'])['protocols'])['http'])['endpoint']);
      for (const name of apiServices) {
        expect(tracingRequested(env(name))).toBe(true);
        const endpoint = new URL(env(name)['OTEL_EXPORTER_OTLP_ENDPOINT'] as string);
        expect([endpoint.hostname, endpoint.port]).toEqual(['tempo', receiver.split(':')[1]]);
      }
      const volumes = list(service('grafana')['volumes']).map((v) => String(v).split(':'));
      const provisioning = join(DEPLOY, volumes.find(([, inside]) => inside === '/etc/grafana/provisioning')?.[0] as string);
      const datasources = filesUnder(join(provisioning, 'datasources'), /\.ya?ml$/).flatMap((f) => list(yamlDocuments(f)[0]?.['datasources']).map(obj));
      const tempoSource = onlyOne(datasources.filter((d) => d['type'] === 'tempo'), 'Tempo data source');
      const url = new URL(String(tempoSource['url']));
      expect([url.hostname, Number(url.port)]).toEqual(['tempo', obj(tempo['server'])['http_listen_port']]);
      const dashboard = JSON.parse(text(join(DEPLOY, 'grafana', 'afd-dashboard.json'))) as { templating: { list: Array<{ name: string; type: string; query: unknown }> } };
      expect(dashboard.templating.list.find((v) => v.name === 'traces')).toMatchObject({ type: 'datasource', query: tempoSource['type'] });
    });

    it('has Grafana provision the Prometheus data source the dashboard selects, and load the dashboard file', () => {
      const volumes = list(service('grafana')['volumes']).map((v) => String(v).split(':'));
      const hostPath = (containerPath: string) => volumes.find(([, inside]) => inside === containerPath)?.[0];
      const provisioning = join(DEPLOY, hostPath('/etc/grafana/provisioning') as string);

      const datasources = filesUnder(join(provisioning, 'datasources'), /\.ya?ml$/).flatMap((f) => list(yamlDocuments(f)[0]?.['datasources']).map(obj));
      const dashboard = JSON.parse(text(join(DEPLOY, 'grafana', 'afd-dashboard.json'))) as { uid: string; templating: { list: Array<{ name: string; type: string; query: unknown }> } };
      const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
      const candidates = datasources.filter((d) => d['type'] === variable?.query);
      // The variable has no saved choice: Grafana takes the default data source of that type.
      expect(candidates.filter((d) => d['isDefault'] === true)).toHaveLength(1);
      const url = new URL(String(candidates[0]?.['url']));
      expect(url.hostname).toBe('prometheus');
      expect(list(service('prometheus')['ports']).map((p) => String(p).split(':')[1])).toContain(url.port);

      const providers = filesUnder(join(provisioning, 'dashboards'), /\.ya?ml$/).flatMap((f) => list(yamlDocuments(f)[0]?.['providers']).map(obj));
      const folder = String(obj(onlyOne(providers, 'dashboard provider')['options'])['path']);
      const mounted = volumes.filter(([, inside]) => inside !== undefined && posix.dirname(inside) === folder);
      expect(mounted.length).toBeGreaterThan(0);
      for (const [host] of mounted) expect(resolve(DEPLOY, host as string)).toBe(join(DEPLOY, 'grafana', 'afd-dashboard.json'));
    });
  });

  describe('Kubernetes', () => {
    it('has apiVersion, kind and metadata.name on every manifest', () => {
      const manifests = filesUnder(K8S, /\.ya?ml$/).filter((f) => basename(f) !== 'kustomization.yaml');
      expect(manifests.length).toBeGreaterThan(8);
      for (const file of manifests) {
        for (const resource of yamlDocuments(file)) {
          expect([relative(ROOT, file), resource['apiVersion'], resource['kind'], obj(resource['metadata'])['name']]).toEqual([
            relative(ROOT, file),
            expect.any(String),
            expect.any(String),
            expect.any(String),
          ]);
        }
      }
    });

    it('has kustomizations that list only files that exist', () => {
      const files = filesUnder(K8S, /^kustomization\.yaml$/);
      expect(files.map((f) => relative(K8S, dirname(f))).sort()).toEqual(['base', 'overlays/cpu', 'overlays/gpu']);
      for (const file of files) {
        const dir = dirname(file);
        const k = kustomization(dir);
        const paths = [
          ...list(k['resources']).map(String),
          ...list(k['patches']).map((p) => String(obj(p)['path'])),
          ...list(k['configMapGenerator']).flatMap((g) => list(obj(g)['files']).map((f) => String(f).split('=').pop() as string)),
        ];
        expect(paths.length).toBeGreaterThan(0);
        for (const path of paths) {
          const target = join(dir, path);
          expect([relative(ROOT, target), existsSync(target)]).toEqual([relative(ROOT, target), true]);
          if (statSync(target).isDirectory()) expect(existsSync(join(target, 'kustomization.yaml'))).toBe(true);
        }
      }
    });

    it('probes readiness on /health/ready, liveness and startup on /health/live, at the HTTP port', () => {
      const container = apiContainer(baseDeployment);
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
      const config = configFrom(containerEnv(container, secretData));
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) expect(containerPort(container, probe?.httpGet?.port ?? -1)).toBe(config.http.port);
    });

    it('gives the container the ports of its configuration, and the Service targets them', () => {
      const container = apiContainer(baseDeployment);
      const config = configFrom(containerEnv(container, secretData));
      expect(containerPort(container, 'http')).toBe(config.http.port);
      expect(containerPort(container, 'grpc')).toBe(config.grpc.port);
      expect([config.http.port, config.grpc.port]).toEqual([DEFAULTS.http.port, DEFAULTS.grpc.port]);

      const service = onlyOne(ofKind<{ spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> } }>(baseResources, 'Service'), 'Service');
      expect(baseDeployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(service.spec.ports.map((p) => [p.name, p.port, containerPort(container, p.targetPort)])).toEqual([
        ['http', config.http.port, config.http.port],
        ['grpc', config.grpc.port, config.grpc.port],
      ]);
    });

    it('waits longer on termination than the app takes to drain and stop (2 × grace + 10 s)', () => {
      const container = apiContainer(baseDeployment);
      const config = configFrom(containerEnv(container, secretData));
      expect(baseDeployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual((2 * config.shutdown.graceMs) / 1000 + 10);
    });

    it('runs as the images\' non-root user with a read-only root file system and a writable /tmp', () => {
      const pod = baseDeployment.spec.template.spec;
      const container = apiContainer(baseDeployment);
      expect(pod.securityContext?.['runAsNonRoot']).toBe(true);
      const dockerUser = (path: string) => Number(dockerInstructions(path).filter((i) => i.keyword === 'USER').pop()?.args.split(':')[0]);
      expect(pod.securityContext?.['runAsUser']).toBe(dockerUser(DOCKERFILES.cpu));
      expect(pod.securityContext?.['runAsUser']).toBe(dockerUser(DOCKERFILES.cuda));
      expect(container.securityContext?.['readOnlyRootFilesystem']).toBe(true);
      const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(pod.volumes?.find((v) => v.name === tmp?.name)).toHaveProperty('emptyDir');
    });

    it('reads the registry from the ConfigMap, checkpoints from the PVC, and secrets the example Secret names', () => {
      const pod = baseDeployment.spec.template.spec;
      const container = apiContainer(baseDeployment);
      const env = containerEnv(container, secretData);
      const mountOf = (predicate: (volume: Json) => boolean) => {
        const volume = pod.volumes?.find(predicate);
        return container.volumeMounts?.find((m) => m.name === volume?.name);
      };
      // AFD_REGISTRY is a file of the generated ConfigMap, mounted where the variable says.
      const generator = onlyOne(list(kustomization(join(K8S, 'base'))['configMapGenerator']).map(obj), 'configMapGenerator');
      const registryMount = mountOf((v) => obj(v['configMap'])['name'] === generator['name']);
      const registryFile = onlyOne(list(generator['files']).map(String), 'registry file');
      expect(env['AFD_REGISTRY']).toBe(posix.join(registryMount?.mountPath ?? '', basename(registryFile)));
      // Every checkpoint lies on the PVC's mount.
      const pvc = onlyOne(ofKind<{ metadata: { name: string } }>(baseResources, 'PersistentVolumeClaim'), 'PVC');
      const checkpoints = mountOf((v) => obj(v['persistentVolumeClaim'])['claimName'] === pvc.metadata.name);
      expect(checkpoints?.readOnly).toBe(true);
      const registry = JSON.parse(text(join(K8S, 'base', registryFile))) as { checkpoints: Array<{ path: string }> };
      for (const entry of registry.checkpoints) expect(posix.relative(checkpoints?.mountPath ?? '', entry.path)).not.toMatch(/^\.\./);
      // The keys file comes from the Secret, whose example has every key the pod reads.
      const keysMount = mountOf((v) => obj(v['secret'])['secretName'] === obj(exampleSecret['metadata'])['name']);
      expect(env['AFD_API_KEYS_FILE']?.startsWith(`${keysMount?.mountPath}/`)).toBe(true);
      const secretKeys = [
        ...(container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
        ...(pod.volumes ?? []).flatMap((v) => list(obj(v['secret'])['items']).map((item) => ({ name: String(obj(v['secret'])['secretName']), key: String(obj(item)['key']) }))),
      ];
      expect(secretKeys.length).toBeGreaterThanOrEqual(2);
      for (const ref of secretKeys) {
        expect(ref.name).toBe(obj(exampleSecret['metadata'])['name']);
        expect(Object.keys(secretData)).toContain(ref.key);
      }
      // The example Secret is never applied by the kustomization.
      expect(baseResources.some((r) => r['kind'] === 'Secret')).toBe(false);
    });

    it('has a registry the app accepts once the checkpoint folders exist', () => {
      const registry = JSON.parse(text(join(K8S, 'base', 'registry.json'))) as { checkpoints: Array<Json & { path: string }> };
      const root = mkdtempSync(join(tmpdir(), 'afd-registry-'));
      try {
        const moved = registry.checkpoints.map((c) => ({ ...c, path: join(root, c.path) }));
        for (const c of moved) mkdirSync(c.path, { recursive: true });
        writeFileSync(join(root, 'registry.json'), JSON.stringify({ checkpoints: moved }));
        const entries = loadRegistry(join(root, 'registry.json'));
        expect(entries.map((e) => e.id)).toEqual(['baseline', 'checkpoint-20000', 'checkpoint-40000', 'checkpoint-60000', 'checkpoint-80000', 'final']);
        expect(entries.filter((e) => e.default).map((e) => e.id)).toEqual(['final']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('autoscales the Deployment on the Pods metric afd_queue_depth, through the adapter rule', () => {
      const hpa = onlyOne(ofKind<{ apiVersion: string; spec: { scaleTargetRef: Json; metrics: Json[] } }>(baseResources, 'HorizontalPodAutoscaler'), 'HPA');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: baseDeployment.metadata.name });
      const metric = onlyOne(hpa.spec.metrics, 'HPA metric');
      expect(metric['type']).toBe('Pods');
      const name = String(obj(obj(metric['pods'])['metric'])['name']);
      expect(name).toBe('afd_queue_depth');

      const adapter = onlyOne(yamlDocuments(join(K8S, 'base', 'prometheus-adapter-rules.yaml')), 'adapter ConfigMap');
      const rules = list(obj(parse(String(obj(adapter['data'])['config.yaml'])))['rules']).map(obj);
      expect(rules.some((r) => String(r['seriesQuery']).startsWith(`${name}{`) && obj(r['name'])['as'] === name)).toBe(true);
    });

    it('has the ServiceMonitor scrape /metrics on the Service\'s http port, and a PDB on the pods', () => {
      const monitor = onlyOne(ofKind<{ spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> } }>(baseResources, 'ServiceMonitor'), 'ServiceMonitor');
      const service = onlyOne(ofKind<{ metadata: { labels: Record<string, string> }; spec: { ports: Array<{ name: string }> } }>(baseResources, 'Service'), 'Service');
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      for (const endpoint of monitor.spec.endpoints) {
        expect(service.spec.ports.map((p) => p.name)).toContain(endpoint.port);
        expect(endpoint.path).toBe('/metrics');
      }
      const pdb = onlyOne(ofKind<{ spec: { selector: { matchLabels: Record<string, string> } } }>(baseResources, 'PodDisruptionBudget'), 'PDB');
      expect(baseDeployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    });

    it.each([
      ['cpu', 'cpu'],
      ['gpu', 'cuda'],
    ])('overlays/%s: its image, devices and memory budget the app accepts', (overlay, tag) => {
      const dir = join(K8S, 'overlays', overlay);
      const images = list(kustomization(dir)['images']).map(obj);
      expect(images.map((i) => i['name'])).toEqual([apiContainer(baseDeployment).image]);
      expect(String(images[0]?.['newTag'])).toContain(tag);
      const deployment = onlyOne(ofKind<Deployment>(overlayResources(dir), 'Deployment'), 'Deployment');
      const config = configFrom(containerEnv(apiContainer(deployment), secretData));
      expect(config.pool.devices).toEqual([overlay === 'gpu' ? 'cuda:0' : 'cpu']);
      expect(config.pool.memoryBudgetBytes).toBeGreaterThan(0);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual((2 * config.shutdown.graceMs) / 1000 + 10);
    });

    it('overlays/gpu: requests and limits one GPU and schedules onto GPU nodes', () => {
      const deployment = onlyOne(ofKind<Deployment>(overlayResources(join(K8S, 'overlays', 'gpu')), 'Deployment'), 'Deployment');
      const resources = apiContainer(deployment).resources;
      expect(Number(resources?.limits?.['nvidia.com/gpu'])).toBe(1);
      expect(Number(resources?.requests?.['nvidia.com/gpu'])).toBe(1);
      expect(deployment.spec.template.spec.tolerations?.some((t) => t['key'] === 'nvidia.com/gpu')).toBe(true);
      expect(Object.keys(deployment.spec.template.spec.nodeSelector ?? {}).length).toBeGreaterThan(0);
      const cpu = onlyOne(ofKind<Deployment>(overlayResources(join(K8S, 'overlays', 'cpu')), 'Deployment'), 'Deployment');
      expect(apiContainer(cpu).resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
    });
  });

  describe('against the running app', () => {
    let app: NestExpressApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await createApp(testAppConfig());
      await app.init();
      await waitUntilReady(app);
    }, 120_000);
    afterAll(() => app?.close());

    it('answers 200 on every probe path of the Deployment once warmed up', async () => {
      const container = apiContainer(baseDeployment);
      const paths = [container.readinessProbe, container.livenessProbe, container.startupProbe].map((p) => p?.httpGet?.path ?? '');
      for (const path of new Set(paths)) await http().get(path).expect(200);
      // Compose and the images probe liveness the same way.
      await http().get('/health/live').expect(200);
    });

    it('exports the metric the HPA scales on, at the path the ServiceMonitor and Prometheus scrape', async () => {
      const hpa = onlyOne(ofKind<{ spec: { metrics: Json[] } }>(baseResources, 'HorizontalPodAutoscaler'), 'HPA');
      const name = String(obj(obj(hpa.spec.metrics[0]?.['pods'])['metric'])['name']);
      const monitor = onlyOne(ofKind<{ spec: { endpoints: Array<{ path: string }> } }>(baseResources, 'ServiceMonitor'), 'ServiceMonitor');
      const scrapeJob = obj(list(obj(parse(text(join(DEPLOY, 'prometheus', 'prometheus.yml'))))['scrape_configs'])[0]);
      const paths = new Set([...monitor.spec.endpoints.map((e) => e.path), String(scrapeJob['metrics_path'] ?? '/metrics')]);
      for (const path of paths) {
        const scrape = await http().get(path).expect(200);
        expect(scrape.text).toMatch(new RegExp(`^${name}\\{device="[^"]+"\\} `, 'm'));
      }
    });
  });
});
