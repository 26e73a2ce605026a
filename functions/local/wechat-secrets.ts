/**
 * @module local/wechat-secrets
 * The local install's WeChat account secrets: `<data folder>/wechat.json` (mode 0600, git-ignored
 * with the folder), holding `{ "appId", "appSecret", "callbackToken" }`. On the first start it is
 * made with invented values for the local WeChat stand-in (local/wechat-sink.ts), which accepts
 * whatever it was started with; a county testing with its real account writes its own values there
 * and sets PUFA_WECHAT_API=https://api.weixin.qq.com. `--in-memory` keeps a fresh set in memory only.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWeChatSecrets, type WeChatSecrets } from '../wechat/channel.js';

export const WECHAT_SECRETS_FILE = 'wechat.json';

const alphanumeric = (length: number) => {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((byte) => letters[byte % letters.length]).join('');
};

/** Invented secrets for the stand-in: the shapes WeChat's are. */
export function inventedWeChatSecrets(): WeChatSecrets {
  return { appId: `wx${randomBytes(8).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), callbackToken: alphanumeric(32) };
}

/** The secrets in `dataDir` (made if missing), or a throw-away set when there is no folder. */
export function ensureLocalWeChatSecrets(dataDir: string | undefined): { secrets: WeChatSecrets; created: boolean } {
  if (!dataDir) return { secrets: inventedWeChatSecrets(), created: true };
  const file = join(dataDir, WECHAT_SECRETS_FILE);
  if (existsSync(file)) return { secrets: parseWeChatSecrets(readFileSync(file, 'utf8'), file), created: false };
  const secrets = inventedWeChatSecrets();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { secrets, created: true };
}
