/**
 * @module wechat/channel
 * The county's WeChat official account as the app and the dispatcher use it: the client over
 * WeChat's API with the shared access token (kept in the table under a lease), and the callback
 * Token WeChat signs its events with. Built from the account's secrets — AppID, AppSecret and the
 * 服务器配置 Token — which come from Secrets Manager on AWS and from the data folder locally, and
 * never go into the table, a log line or a plan file.
 */
import { z } from 'zod';
import type { Store } from '../store/index.js';
import { createWeChatClient, type WeChatClient } from './client.js';
import { tokenSource } from './token-source.js';

/** What the account's owner copies from 公众号 → 设置与开发 → 基本配置. */
export const wechatSecretsSchema = z.object({
  appId: z.string().regex(/^wx[0-9A-Za-z]{16}$/, 'an AppID: "wx" and 16 letters or digits'),
  appSecret: z.string().regex(/^[0-9A-Za-z]{16,64}$/, 'an AppSecret: 16-64 letters or digits'),
  /** 服务器配置 → 令牌(Token): WeChat allows 3-32 letters or digits. */
  callbackToken: z.string().regex(/^[0-9A-Za-z]{3,32}$/, 'a Token: 3-32 letters or digits, as set in 服务器配置'),
});
export type WeChatSecrets = z.infer<typeof wechatSecretsSchema>;

export interface WeChatChannel {
  /** The county whose account this is. */
  county: string;
  client: WeChatClient;
  /** Checks the signature of WeChat's events (MASSSENDJOBFINISH). */
  callbackToken: string;
  appId: string;
}

export interface WeChatChannelOptions {
  store: Pick<Store, 'wechatToken'>;
  county: string;
  clock: () => Date;
  secrets: WeChatSecrets;
  /** WeChat's API; default https://api.weixin.qq.com (the local stand-in in `npm start` and tests). */
  apiBase?: string | undefined;
  massSendProtection: boolean;
  fetch?: typeof fetch;
}

export function wechatChannel(options: WeChatChannelOptions): WeChatChannel {
  const { secrets } = options;
  // The token is fetched with the AppSecret: a client of its own, which needs no token itself.
  const tokenClient = createWeChatClient({ baseUrl: options.apiBase, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const token = tokenSource({
    store: options.store,
    county: options.county,
    clock: options.clock,
    refresh: async () => {
      const answer = await tokenClient.stableToken({ appId: secrets.appId, appSecret: secrets.appSecret });
      return { token: answer.accessToken, expiresInSeconds: answer.expiresIn };
    },
  });
  const client = createWeChatClient({ baseUrl: options.apiBase, token, massSendProtection: options.massSendProtection, ...(options.fetch ? { fetch: options.fetch } : {}) });
  return { county: options.county, client, callbackToken: secrets.callbackToken, appId: secrets.appId };
}

/** The secrets' problems, by field, without their values. */
export function parseWeChatSecrets(text: string, where: string): WeChatSecrets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON: it holds {"appId", "appSecret", "callbackToken"}`);
  }
  const parsed = wechatSecretsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** On AWS: the secret PUFA_WECHAT_SECRET_ARN names, read once per process; undefined when none is configured. */
export async function wechatSecretsFromAws(config: { wechat: { secretArn: string | undefined }; region: string }): Promise<WeChatSecrets | undefined> {
  const arn = config.wechat.secretArn;
  if (!arn) return undefined;
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: config.region });
  try {
    const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return parseWeChatSecrets(result.SecretString ?? '', 'The WeChat secret (PUFA_WECHAT_SECRET_ARN)');
  } finally {
    client.destroy();
  }
}

