/**
 * @module wechat/token-source
 * The WeChat client's `TokenSource`, backed by the county's shared token in the table
 * (store/wechat-token.ts): `get()` returns a valid token, refreshing it under the lease when it is
 * missing or near expiry; `refresh(stale)` is for a call WeChat answered 40001/42001, and refreshes
 * only if nobody has replaced that token yet.
 */
import type { RefreshToken, TokenOptions, WeChatTokenStore } from '../store/wechat-token.js';
import type { TokenSource } from './client.js';

export interface TokenSourceOptions {
  store: { wechatToken: WeChatTokenStore };
  county: string;
  clock: () => Date;
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
