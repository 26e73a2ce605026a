/**
 * @module http/env
 * What every request handler can reach through the Hono context.
 */
import type { Config } from '../config.js';
import type { Caller } from '../domain/access.js';
import type { PhoneKeys } from '../domain/phone.js';
import type { Store } from '../store/index.js';
import type { Logger } from './logger.js';
import type { Outbox } from '../notify/outbox.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';

export type Clock = () => Date;

/** Everything the app needs from the outside world, built once per process and handed in. */
import type { Speech } from '../speech/from-config.js';

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Keys phone numbers with the deployment's secret. */
  phoneKeys: PhoneKeys;
  /** The station topic's subscriptions (stations' push endpoints); absent where no topic is configured. */
  stationSubscriptions?: StationSubscriptions | undefined;
  /**
   * The text-to-speech engine and where recordings are kept (Polly and S3 on AWS, espeak-ng and
   * the data folder locally), built on first use: most requests never need it.
   */
  speech: () => Promise<Speech>;
  /** Local mode only: what the local SNS sink accepted. */
  outbox?: Outbox | undefined;
  /** Local mode only: the mass sends the local WeChat stand-in took (local/wechat-sink's `WeChatOutbox`). */
  wechatOutbox?: { list(): readonly WeChatMassSendEntry[] } | undefined;
}

/**
 * A mass send as the outbox page reads it: the fields of local/wechat-sink's `WeChatMassSend` it
 * shows, spelled out here because http/ may not import local/ (test/infra/walls.test.ts).
 */
export interface WeChatMassSendEntry {
  msgId: string;
  submittedAt: string;
  toAll: boolean;
  tagId?: number | undefined;
  articles: readonly Record<string, unknown>[];
  status: 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL';
  awaitingConfirmation: boolean;
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: AppDeps;
    /** Set by the `allow(...)` middleware on routes that need a token. */
    caller: Caller;
    /**
     * The route pattern that answered, when a lazily mounted sub-app did (http/lazy-routes):
     * `c.req.routePath` then only knows the mount's wildcard.
     */
    routePath?: string;
  };
}
