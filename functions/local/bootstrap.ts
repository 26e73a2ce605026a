/**
 * @module local/bootstrap
 * The first admin token of a local install. Only its hash is in the table; the secret is kept
 * in the git-ignored data folder so every `npm start` can print it again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callerFromToken, hashTokenSecret, newId, newTokenSecret, tokenRecordFromGrant } from '../domain/access.js';
import { Unauthenticated } from '../domain/errors.js';
import type { Store } from '../store/index.js';

const ADMIN_TOKEN_FILE = 'admin-token';

export async function ensureLocalAdminToken(
  store: Store,
  options: { county: string; dataDir: string | undefined; now: Date },
): Promise<{ secret: string; created: boolean }> {
  const file = options.dataDir ? join(options.dataDir, ADMIN_TOKEN_FILE) : undefined;
  if (file && existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    const record = await store.tokens.findBySecretHash(await hashTokenSecret(secret));
    try {
      const caller = callerFromToken(record, options.now);
      if (caller.role === 'admin' && caller.county === options.county) return { secret, created: false };
    } catch (error) {
      // revoked or expired since the last start: issue a fresh one below
      if (!(error instanceof Unauthenticated)) throw error;
    }
  }
  const secret = newTokenSecret();
  const record = tokenRecordFromGrant(
    { role: 'admin', name: '本地管理员' },
    { id: newId('tok', options.now), county: options.county, createdBy: 'local-start', now: options.now },
  );
  await store.tokens.create(record, await hashTokenSecret(secret));
  if (file) writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, created: true };
}
