/**
 * @module wechat/from-config
 * The deployment's WeChat channel on AWS, built on first use — the secret read once from Secrets
 * Manager, the client made — so a Lambda's cold start loads none of it. Resolves to undefined
 * when no secret is configured (PUFA_WECHAT_SECRET_ARN unset); a failed read is tried again on the next use.
 */
import type { Config } from '../config.js';
import { onFirstUse } from '../on-first-use.js';
import type { Store } from '../store/index.js';
import type { WeChatChannel } from './channel.js';

export function wechatFromConfig(deps: { config: Pick<Config, 'county' | 'region' | 'wechat'>; store: Pick<Store, 'wechatToken'>; clock: () => Date }): () => Promise<WeChatChannel | undefined> {
  return onFirstUse(async () => {
    if (!deps.config.wechat.secretArn) return undefined;
    const { wechatChannel, wechatSecretsFromAws } = await import('./channel.js');
    const secrets = await wechatSecretsFromAws(deps.config);
    if (!secrets) return undefined;
    const { county, wechat } = deps.config;
    return wechatChannel({ store: deps.store, county, clock: deps.clock, secrets, apiBase: wechat.apiBase, massSendProtection: wechat.massSendProtection });
  });
}
