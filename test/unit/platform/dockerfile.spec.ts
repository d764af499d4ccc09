import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseCopy,
  parseDockerfile,
  readDockerfile,
  ROOT,
  type Stage,
} from '../../support/container-files';

const { directives, stages } = readDockerfile();
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const args = (s: Stage, keyword: string) =>
  s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const runtime = stages.at(-1)!;

describe('Dockerfile', () => {
  it('builds every stage on Node 22 LTS, which package.json engines admit', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of stages) expect(s.image).toMatch(/^node:22-bookworm-slim$/);
    const engines = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    // One `||` clause admits Node 22 (and the CI machines' Node 20).
    const clauses = engines.split('||').map((clause) => clause.trim());
    expect(clauses).toContainEqual(expect.stringMatching(/^\^22\.\d+\.\d+$/));
    expect(clauses).toContainEqual(expect.stringMatching(/^\^20\.\d+\.\d+$/));
  });

  it('installs with npm ci through a BuildKit cache mount (no cache in a layer)', () => {
    expect(directives).toContainEqual(
      expect.stringMatching(/^syntax=docker\/dockerfile:1(\.\d+)*$/),
    );
    const installs = stages.flatMap((s) => args(s, 'RUN')).filter((run) => run.includes('npm ci'));
    expect(installs).toHaveLength(2);
    for (const run of installs) {
      expect(run).toMatch(/^--mount=type=cache,target=\/root\/\.npm\s/);
    }
    expect(installs.some((run) => run.includes('--omit=dev'))).toBe(true);
    expect(stages.flatMap((s) => args(s, 'RUN')).join('\n')).not.toMatch(/npm cache clean/);
  });

  it('compiles only the service and its migrations (no bench/, no test/ fakes)', () => {
    const copied = args(stage('build'), 'COPY').flatMap((c) => parseCopy(c).sources);
    expect(copied).toEqual(expect.arrayContaining(['src', 'migrations']));
    for (const source of copied) expect(source).not.toMatch(/^(\.|bench|test)(\/|$)/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['bench', 'test', '.env', 'node_modules']));
  });

  it('ships production dependencies and the compiled service only in the runtime stage', () => {
    const copies = args(runtime, 'COPY').map(parseCopy);
    const fromStages = copies.filter((c) => c.from).map((c) => `${c.from}:${c.sources.join(',')}`);
    expect(fromStages.sort()).toEqual(
      ['build:/app/dist/migrations', 'build:/app/dist/src', 'deps:/app/node_modules'].sort(),
    );
    const fromContext = copies.filter((c) => !c.from).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(['bin', 'package.json']);
  });

  it('runs as a non-root user that owns /app/var', () => {
    const users = args(runtime, 'USER');
    expect(users).toHaveLength(1);
    const user = users[0];
    expect(['root', '0']).not.toContain(user);
    const userIndex = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    const before = runtime.instructions
      .slice(0, userIndex)
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    expect(before).toMatch(new RegExp(`useradd .*\\b${user}$|useradd .*\\b${user} `));
    expect(before).toMatch(/mkdir -p \/app\/var\/keys/);
    expect(before).toMatch(new RegExp(`chown -R ${user}:${user} /app/var(\\s|$)`));
  });

  it('has a /livez healthcheck and starts the compiled server', () => {
    expect(args(runtime, 'HEALTHCHECK').join()).toContain('/livez');
    expect(args(runtime, 'CMD')).toEqual(['["node", "dist/src/main.js"]']);
    expect(args(runtime, 'EXPOSE')).toEqual(['8000']);
  });

  it('parses continuations and comments inside them', () => {
    const parsed = parseDockerfile('# syntax=x/y:1\nFROM a AS b\nRUN x \\\n  # note\n  && y\n');
    expect(parsed).toEqual({
      directives: ['syntax=x/y:1'],
      stages: [{ image: 'a', name: 'b', instructions: [{ keyword: 'RUN', args: 'x && y' }] }],
    });
  });
});
