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
import type { WeChatChannel } from '../wechat/channel.js';
import type { WeChatMassSend } from '../wechat/types.js';
import type { ImageStore } from '../images/image-store.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';

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
  /**
   * The county's WeChat official account (client, shared token, callback Token), built on first
   * use from its secrets; resolves to undefined where none is configured.
   */
  wechat?: (() => Promise<WeChatChannel | undefined>) | undefined;
  /** Images for WeChat articles (the audio bucket's `images/` on AWS, the data folder locally), built on first use. */
  images?: (() => Promise<ImageStore>) | undefined;
  /** Activities' evidence files (the audio bucket's `evidence/` on AWS, the data folder's `evidence/` locally), built on first use. */
  evidence?: (() => Promise<EvidenceStore>) | undefined;
  /** Local mode only: what the local SNS sink accepted. */
  outbox?: Outbox | undefined;
  /** Local mode only: the mass sends the local WeChat stand-in took. */
  wechatOutbox?: { list(): readonly WeChatMassSend[] } | undefined;
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
