import { join } from 'node:path';
import { Linter, type ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// The rule is plain CommonJS so eslint.config.mjs and this test load the same file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const boundaries = require('../../../eslint/module-boundaries.cjs') as ESLint.Plugin;

const ROOT = join(__dirname, '..', '..', '..');

function lint(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { local: boundaries },
        rules: { 'local/module-boundaries': 'error' },
      },
    ],
    { filename: join(ROOT, file) },
  );
  return messages.map((m) => m.message);
}

describe('module boundaries lint rule (eslint/module-boundaries.cjs)', () => {
  it("fails a module that reaches into another module's internals", () => {
    expect(
      lint(
        'src/modules/chat/chat.service.ts',
        "import { PlanRepository } from '../billing/plans/plan.repository';",
      ),
    ).toEqual([
      "'../billing/plans/plan.repository' reaches into module 'billing': import what it exports from its index.ts instead",
    ]);
    expect(
      lint(
        'src/cli/commands/x.ts',
        "export { KeysetService } from '../../modules/auth/keys/keyset.service';",
      ),
    ).toHaveLength(1);
  });

  it('fails platform code importing any feature module, even its index', () => {
    expect(
      lint('src/platform/http/x.ts', "import { AuthModule } from '../../modules/auth';"),
    ).toEqual(["src/platform must not import feature module 'auth' ('../../modules/auth')"]);
  });

  it("allows a module's index, its own internals, and same-named folders inside a module", () => {
    expect(
      lint('src/modules/chat/chat.service.ts', "import { BillingModule } from '../billing';"),
    ).toEqual([]);
    expect(
      lint('src/modules/chat/chat.service.ts', "import { x } from '../billing/index';"),
    ).toEqual([]);
    expect(lint('src/modules/chat/stream/a.ts', "import { b } from '../runs/b';")).toEqual([]);
    // chat/sub/ importing chat/tools/: a folder named like the tools module, still chat's own.
    expect(lint('src/modules/chat/sub/a.ts', "import { t } from '../tools/t';")).toEqual([]);
    expect(lint('src/app.module.ts', "import { ChatModule } from './modules/chat';")).toEqual([]);
  });
});
