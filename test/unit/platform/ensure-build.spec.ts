import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Plain CommonJS script (run by `npm run cli`'s precli), required as such.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ensureBuild = require('../../../scripts/ensure-build.js') as {
  fingerprint(root: string): string;
  staleReason(root: string, stampPath?: string): string | undefined;
  isStale(root: string, stampPath?: string): boolean;
  ensureBuild(root?: string): number;
  STAMP: string;
};

describe('scripts/ensure-build.js: rebuild dist only when an input changed', () => {
  let root: string;
  let stamp: string;

  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const stampNow = () => writeFileSync(stamp, `${ensureBuild.fingerprint(root)}\n`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aa-ensure-build-'));
    stamp = join(root, ensureBuild.STAMP);
    write(
      'tsconfig.build.json',
      JSON.stringify({ include: ['src/**/*.ts', 'migrations/**/*.ts', 'ormconfig.ts'] }),
    );
    write('package.json', '{}');
    write('package-lock.json', '{}');
    write('src/main.ts', 'export {};');
    write('src/cli/cli.ts', 'export {};');
    write('migrations/1-init.ts', 'export {};');
    write('ormconfig.ts', 'export {};');
    write('dist/src/cli.js', '');
    write('README.md', 'not an input');
    stampNow();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh build is not stale', () => {
    expect(ensureBuild.isStale(root, stamp)).toBe(false);
    expect(ensureBuild.staleReason(root)).toBeUndefined();
  });

  it('a missing stamp or CLI entry point is stale', () => {
    rmSync(stamp);
    expect(ensureBuild.staleReason(root, stamp)).toBe('no build stamp');
    stampNow();
    rmSync(join(root, 'dist/src/cli.js'));
    expect(ensureBuild.staleReason(root, stamp)).toBe('dist missing');
  });

  it.each([
    ['moving a src file mtime back', () => utimesSync(join(root, 'src/main.ts'), 0, 0)],
    ['adding a src file', () => write('src/new.ts', 'export {};')],
    ['deleting a src file', () => rmSync(join(root, 'src/cli/cli.ts'))],
    ['editing a migration', () => write('migrations/1-init.ts', 'export const x = 1;')],
    ['editing package.json', () => write('package.json', '{"a":1}')],
    ['editing a tsconfig', () => write('tsconfig.json', '{}')],
    ['editing an included root file', () => write('ormconfig.ts', 'export const y = 2;')],
  ])('%s makes it stale', (_what, change) => {
    change();
    expect(ensureBuild.staleReason(root, stamp)).toBe('src changed');
  });

  it('files outside the build inputs do not', () => {
    write('README.md', 'changed');
    write('dist/src/other.js', '');
    write('test/unit/some.spec.ts', 'export {};');
    expect(ensureBuild.isStale(root, stamp)).toBe(false);
  });

  it('builds (build + postbuild) once when stale, records the stamp, then stays quiet', () => {
    const count = (script: string) =>
      `node -e "require('fs').appendFileSync('runs.txt', '${script}\\n')"`;
    write(
      'package.json',
      JSON.stringify({ scripts: { build: count('build'), postbuild: count('postbuild') } }),
    );
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(ensureBuild.ensureBuild(root)).toBe(0);
      expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([
        'Building (src changed)…\n',
      ]);
      expect(ensureBuild.isStale(root)).toBe(false);
      stderr.mockClear();
      expect(ensureBuild.ensureBuild(root)).toBe(0);
      expect(stderr).not.toHaveBeenCalled();
      expect(readFileSync(join(root, 'runs.txt'), 'utf8')).toBe('build\npostbuild\n');
    } finally {
      stderr.mockRestore();
    }
  });

  it('a failed build leaves no stamp (the next call tries again) and passes its exit code', () => {
    write('package.json', JSON.stringify({ scripts: { build: 'node -e "process.exit(3)"' } }));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(ensureBuild.ensureBuild(root)).toBe(3);
    } finally {
      stderr.mockRestore();
    }
    expect(ensureBuild.staleReason(root)).toBe('no build stamp');
  });
});
