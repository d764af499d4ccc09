import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../../src/platform/config/app-config';
import { renderEnvExample } from '../../../src/platform/config/env-example';
import { settingsOf } from '../../../src/platform/config/setting.decorator';

describe('.env.example', () => {
  it('is in sync with AppConfig (regenerate with `npm run env:example`)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8');
    expect(committed).toBe(renderEnvExample());
  });

  it('lists every setting', () => {
    const text = renderEnvExample();
    for (const setting of settingsOf(new AppConfig())) {
      expect(text).toMatch(new RegExp(`^(# )?${setting.property}=`, 'm'));
    }
  });
});
