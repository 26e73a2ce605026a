/**
 * @module local/phone-secret
 * The local install's phone-key secret: generated on the first start into the git-ignored data
 * folder (mode 0600, like the admin token), read again at every start and by the CLIs, so keys
 * stay the same across restarts. `--in-memory` keeps a fresh one in memory only.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHONE_KEY_SECRET_MIN_LENGTH } from '../domain/phone.js';

const PHONE_KEY_SECRET_FILE = 'phone-key-secret';

export function newPhoneKeySecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The secret in `dataDir` (created if missing: `created` tells a start to re-key what an older
 * version stored), or a throw-away one when there is no folder.
 */
export function ensureLocalPhoneKeySecret(dataDir: string | undefined): { secret: string; created: boolean } {
  if (!dataDir) return { secret: newPhoneKeySecret(), created: true };
  const file = join(dataDir, PHONE_KEY_SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < PHONE_KEY_SECRET_MIN_LENGTH) throw new Error(`${file} is damaged: it must hold the phone-key secret (${PHONE_KEY_SECRET_MIN_LENGTH}+ characters)`);
    return { secret, created: false };
  }
  const secret = newPhoneKeySecret();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, created: true };
}
