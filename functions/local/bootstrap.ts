/**
 * @module local/bootstrap
 * The first admin token of a local install. Only its hash is in the table; the secret is kept
 * in the git-ignored data folder so every `npm start` can print it again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TIME_ZONE } from '../config.js';
import { callerFromToken, hashTokenSecret } from '../domain/access.js';
import { commandLineActor } from '../domain/audit.js';
import { Unauthenticated } from '../domain/errors.js';
import type { Store } from '../store/index.js';
import { issueToken } from '../workflows/tokens.js';

const ADMIN_TOKEN_FILE = 'admin-token';

export async function ensureLocalAdminToken(
  store: Store,
  /** `timeZone` files the issue's audit entry under the county's local date (the config's). */
  options: { county: string; dataDir: string | undefined; now: Date; timeZone?: string },
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
  const { secret } = await issueToken(
    { store, timeZone: options.timeZone ?? DEFAULT_TIME_ZONE, now: options.now },
    { county: options.county, grant: { role: 'admin', name: '本地管理员' }, actor: commandLineActor('npm start'), createdBy: 'local-start' },
  );
  if (file) writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, created: true };
}
