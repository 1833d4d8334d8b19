import argon2 from 'argon2';

/** argon2id with OWASP-recommended cost (19 MiB, t=2). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (plain: string) => argon2.hash(plain, OPTIONS);

// Verifying against a throwaway hash when the account does not exist keeps the response time the same, so a
// timing probe cannot tell which usernames exist.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null, plain: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('not-a-real-password-0');
    await argon2.verify(await dummyHash, plain).catch(() => false);
    return false;
  }
  return argon2.verify(hash, plain).catch(() => false);
}
