/**
 * @module store
 * The repositories over pufa's one table, built once per process from a document client.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import { ActivityStore } from './activities.js';
import { AuditStore } from './audit.js';
import { CampaignStore, NoticeStore } from './campaigns.js';
import { CountyStore } from './counties.js';
import { DeliveryStore } from './deliveries.js';
import { ExpansionStore } from './expansions.js';
import { holdTable } from './internal.js';
import { SubscriberStore } from './subscribers.js';
import { TallyStore } from './tallies.js';
import { TallyTotalsStore } from './tally-totals.js';
import { PlanStore } from './plans.js';
import { RateLimiter } from './rate.js';
import { RegistryStore } from './registry.js';
import { SessionStore } from './sessions.js';
import { SmsBudgetStore } from './sms-budget.js';
import { StationPushStore } from './station-pushes.js';
import { FeedStore } from './feeds.js';
import { TokenStore } from './tokens.js';
import { WeChatSendStore } from './wechat-sends.js';
import { WeChatNonceStore } from './wechat-nonces.js';
import { WeChatTokenStore } from './wechat-token.js';

export interface Store {
  /** The table's name, for display only (/health, start-up lines); no client goes with it. */
  readonly tableNameForDisplay: string;
  tokens: TokenStore;
  /** The deployment's counties: name, time zone, SMS signature, city and province. */
  counties: CountyStore;
  feeds: FeedStore;
  sessions: SessionStore;
  plans: PlanStore;
  /** The registry, SMS templates and station contacts. */
  registry: RegistryStore;
  campaigns: CampaignStore;
  notices: NoticeStore;
  subscribers: SubscriberStore;
  deliveries: DeliveryStore;
  activities: ActivityStore;
  tallies: TallyStore;
  /** Several counties' month totals at once (a city's or a province's roll-up). */
  tallyTotals: TallyTotalsStore;
  audit: AuditStore;
  expansions: ExpansionStore;
  /** Stations' push subscriptions and their receivers' receipts. */
  stationPushes: StationPushStore;
  /** The county's monthly SMS budget, the month's spend, and SMS held for it. */
  smsBudget: SmsBudgetStore;
  /** The county's WeChat access token, refreshed by one caller at a time under a lease. */
  wechatToken: WeChatTokenStore;
  /** WeChat callback nonces seen, so a replayed callback is refused. */
  wechatNonces: WeChatNonceStore;
  /** WeChat mass sends by msg_id, and WeChat's results for them. */
  wechatSends: WeChatSendStore;
  /** The send-rate cap of a channel, shared by every dispatcher through the table. */
  rateLimiter(channel: string, perSecond: number): RateLimiter;
  /** One GetItem on a key that never exists: proves the table answers and we may read it. */
  ping(): Promise<void>;
}

export function createStore(db: DynamoDBDocumentClient, tableName: string): Store {
  const registry = new RegistryStore(db, tableName);
  const store: Store = {
    tableNameForDisplay: tableName,
    tokens: new TokenStore(db, tableName),
    counties: new CountyStore(db, tableName),
    feeds: new FeedStore(db, tableName),
    sessions: new SessionStore(db, tableName),
    plans: new PlanStore(db, tableName, registry),
    registry,
    campaigns: new CampaignStore(db, tableName),
    notices: new NoticeStore(db, tableName),
    subscribers: new SubscriberStore(db, tableName),
    deliveries: new DeliveryStore(db, tableName),
    activities: new ActivityStore(db, tableName),
    tallies: new TallyStore(db, tableName),
    tallyTotals: new TallyTotalsStore(db, tableName),
    audit: new AuditStore(db, tableName),
    expansions: new ExpansionStore(db, tableName),
    stationPushes: new StationPushStore(db, tableName),
    smsBudget: new SmsBudgetStore(db, tableName),
    wechatToken: new WeChatTokenStore(db, tableName),
    wechatNonces: new WeChatNonceStore(db, tableName),
    wechatSends: new WeChatSendStore(db, tableName),
    rateLimiter: (channel, perSecond) => new RateLimiter(db, tableName, channel, perSecond),
    async ping() {
      await db.send(new GetCommand({ TableName: tableName, Key: keys.healthProbe() }));
    },
  };
  holdTable(store, { db, tableName });
  return store;
}
