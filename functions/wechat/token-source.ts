/**
 * @module wechat/token-source
 * The WeChat client's `TokenSource`, backed by the county's shared token in the table
 * (store/wechat-token.ts): `get()` returns a valid token, refreshing it under the lease when it is
 * missing or near expiry; `refresh(stale)` is for a call WeChat answered 40001/42001, and refreshes
 * only if nobody has replaced that token yet.
 */
import type { Clock } from '../http/env.js';
import type { RefreshToken, TokenOptions, WeChatTokenStore } from '../store/wechat-token.js';

/**
 * The shape `functions/wechat/client.ts` asks for. Declared here until that file lands, then
 * replaced by an `import type` of it (structurally the same, so nothing else changes).
 */
export interface TokenSource {
  get(): Promise<string>;
  refresh(stale: string): Promise<string>;
}

export interface TokenSourceOptions {
  store: { wechatToken: WeChatTokenStore };
  county: string;
  clock: Clock;
  /** Calls WeChat's `stable_token` with the AppSecret; the secret stays with this function, never in the table. */
  refresh: RefreshToken;
  /** Margin and lease times; the defaults suit production. */
  tokenOptions?: TokenOptions;
}

export function tokenSource({ store, county, clock, refresh, tokenOptions = {} }: TokenSourceOptions): TokenSource {
  return {
    get: function getWeChatToken() {
      return store.wechatToken.getOrRefresh(county, clock(), refresh, tokenOptions);
    },
    refresh: function refreshWeChatToken(stale: string) {
      return store.wechatToken.refreshStale(county, stale, clock(), refresh, tokenOptions);
    },
  };
}
