import argon2 from 'argon2';

/** The login bench's argon2id parameters (the app's defaults, decision A1). */
export const LOGIN_ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Raw argon2id verifications per second at the login parameters, `parallel` at a time (as many
 * as the login run has connections), in this process: the ceiling a login rate is compared with.
 */
export async function argon2VerifyRate(seconds: number, parallel: number): Promise<number> {
  const hash = await argon2.hash('bench-password', { type: argon2.argon2id, ...LOGIN_ARGON2 });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < until) {
      if (!(await argon2.verify(hash, 'bench-password'))) throw new Error('argon2 verify failed');
      done += 1;
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: parallel }, worker));
  return done / ((performance.now() - startedAt) / 1000);
}
