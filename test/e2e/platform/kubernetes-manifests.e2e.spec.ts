import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/check-kubernetes.mjs');
const KUBERNETES = join(ROOT, 'deploy/kubernetes');

interface OverlayReport {
  path: string;
  objects: { kind: string; name: string }[];
  problems: string[];
}

interface CheckResult {
  status: number | null;
  report: { overlays: OverlayReport[] };
  stderr: string;
}

/** The script is ESM (kubernetes-models is ESM-only), so it runs in its own Node process. */
function runCheck(args: string[]): CheckResult {
  const result = spawnSync(process.execPath, [SCRIPT, '--json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  return {
    status: result.status,
    report: JSON.parse(result.stdout) as CheckResult['report'],
    stderr: result.stderr,
  };
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every GET path of the running app, read from Express 5's router (`app.router.stack`). */
function getRoutes(instance: unknown): string[] {
  const stack = (instance as { router?: { stack: RouterLayer[] } }).router?.stack ?? [];
  const paths = stack
    .filter((layer) => layer.route?.methods.get)
    .flatMap((layer) => [layer.route!.path].flat());
  return [...new Set(paths)].sort();
}

/** A throwaway copy of deploy/kubernetes, so a test can break one file of it. */
function copyManifests(): {
  dir: string;
  overlay: string;
  edit: (file: string, from: string | RegExp, to: string) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'aa-k8s-'));
  cpSync(KUBERNETES, dir, { recursive: true });
  return {
    dir,
    overlay: join(dir, 'overlays/staging'),
    edit(file, from, to) {
      const path = join(dir, file);
      const before = readFileSync(path, 'utf8');
      const after = before.replace(from, to);
      // Guards the test itself: a patch that matches nothing would prove nothing.
      expect(after).not.toEqual(before);
      writeFileSync(path, after);
    },
  };
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  let routes: string[] = [];

  beforeAll(async () => {
    const t = await startTestApp();
    try {
      routes = getRoutes(t.app.getHttpAdapter().getInstance());
    } finally {
      await t.close();
    }
  });

  it('reads the real route table, probes included', () => {
    expect(routes).toEqual(expect.arrayContaining(['/livez', '/readyz', '/startupz']));
    expect(routes.length).toBeGreaterThan(10);
  });

  it('renders both overlays, every object validates and no rule is broken', () => {
    const { status, report, stderr } = runCheck(routes.flatMap((route) => ['--route', route]));
    const byPath = Object.fromEntries(report.overlays.map((overlay) => [overlay.path, overlay]));
    const staging = byPath['deploy/kubernetes/overlays/staging'];
    const production = byPath['deploy/kubernetes/overlays/production'];
    expect(stderr).toBe('');
    expect(staging.problems).toEqual([]);
    expect(production.problems).toEqual([]);
    expect(status).toBe(0);

    const kinds = (overlay: OverlayReport) => overlay.objects.map((object) => object.kind);
    const expected = [
      'Deployment',
      'Service',
      'Job',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
    ];
    expect(kinds(staging)).toEqual(expect.arrayContaining(expected));
    expect(kinds(production)).toEqual(expect.arrayContaining([...expected, 'Ingress']));
    expect(kinds(staging)).not.toContain('Ingress');
  });

  it("runs pods as the image's own non-root uid and gid (pinned in the Dockerfile)", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const uid = /useradd [^\n]*--uid (\d+)/.exec(dockerfile)?.[1];
    const gid = /groupadd [^\n]*--gid (\d+)/.exec(dockerfile)?.[1];
    expect(uid).toBeDefined();
    const base = ['deployment.yaml', 'migration-job.yaml']
      .map((file) => readFileSync(join(KUBERNETES, 'base', file), 'utf8'))
      .join('\n');
    const users = [...base.matchAll(/runAsUser: (\d+)/g)].map((match) => match[1]);
    const groups = [...base.matchAll(/(?:runAsGroup|fsGroup): (\d+)/g)].map((match) => match[1]);
    expect(users.length).toBeGreaterThanOrEqual(2);
    expect(new Set(users)).toEqual(new Set([uid]));
    expect(new Set(groups)).toEqual(new Set([gid]));
  });

  describe('fails on a broken copy', () => {
    let copy: ReturnType<typeof copyManifests>;
    beforeEach(() => {
      copy = copyManifests();
    });
    afterEach(() => {
      rmSync(copy.dir, { recursive: true, force: true });
    });

    it('a grace period that does not cover SHUTDOWN_GRACE_SECONDS + preStop', () => {
      copy.edit(
        'base/deployment.yaml',
        'terminationGracePeriodSeconds: 40',
        'terminationGracePeriodSeconds: 20',
      );
      const { status, report } = runCheck([copy.overlay]);
      expect(status).toBe(1);
      expect(report.overlays[0].problems).toEqual([
        expect.stringMatching(
          /Deployment\/anything-agents-api: terminationGracePeriodSeconds 20 must be greater than SHUTDOWN_GRACE_SECONDS 25 \+ preStop 5s/,
        ),
      ]);
    });

    it('a probe path the app does not serve', () => {
      copy.edit('base/deployment.yaml', 'path: /readyz', 'path: /healthz-typo');
      const { status, report } = runCheck([
        ...routes.flatMap((route) => ['--route', route]),
        copy.overlay,
      ]);
      expect(status).toBe(1);
      expect(report.overlays[0].problems).toEqual([
        expect.stringMatching(/readinessProbe path \/healthz-typo is not a route of the app/),
      ]);
    });

    it('a schema error (replicas: "two")', () => {
      copy.edit('base/deployment.yaml', 'replicas: 2', 'replicas: "two"');
      const { status, report } = runCheck([copy.overlay]);
      expect(status).toBe(1);
      expect(report.overlays[0].problems).toEqual([
        expect.stringMatching(
          /Deployment\/anything-agents-api: schema: .*replicas must be integer/,
        ),
      ]);
    });

    it('a kind kubernetes-models does not know', () => {
      writeFileSync(
        join(copy.dir, 'base/widget.yaml'),
        'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: stray\n',
      );
      copy.edit('base/kustomization.yaml', '  - pdb.yaml\n', '  - pdb.yaml\n  - widget.yaml\n');
      const { status, report } = runCheck([copy.overlay]);
      expect(status).toBe(1);
      expect(report.overlays[0].problems).toEqual([
        expect.stringMatching(/Widget\/stray: unknown kind example.com\/v1\/Widget/),
      ]);
    });

    it("a Service selector that also picks the migration Job's pods", () => {
      copy.edit(
        'base/service.yaml',
        '  selector:\n    app.kubernetes.io/component: api\n',
        '  selector: {}\n',
      );
      const { status, report } = runCheck([copy.overlay]);
      expect(status).toBe(1);
      // kustomize still adds the name label, which the Job's pods carry too.
      expect(report.overlays[0].problems).toEqual([
        'Service/anything-agents-api: selector also matches the pods of Job/anything-agents-api-migrate',
      ]);
    });
  });
});
