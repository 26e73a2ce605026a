/**
 * @module store/keys
 * Key builders: the only place where key strings such as "TOKEN#" are spelled.
 * Every key that belongs to a county starts with `C#<county>`, so one table can serve many counties.
 */

import { dueIndexSizing, dueShardCount, RANK_DIGITS } from '../domain/fair-queue.js';

const county = (countyId: string) => `C#${countyId}`;

export const keys = {
  /** A health probe item that never exists; reading it proves the table answers. */
  healthProbe: () => ({ pk: 'HEALTH', sk: 'PROBE' }),

  /** Access tokens are found by the hash of the secret, before the county is known. */
  token: (secretHash: string) => ({ pk: `TOKEN#${secretHash}`, sk: 'TOKEN' }),
  /** Tokens of a county (index byParent), in creation order because token ids sort by time. */
  tokensOfCounty: (countyId: string) => ({ gsi1pk: `${county(countyId)}#TOKENS` }),
  tokenInCounty: (tokenId: string) => ({ gsi1sk: `TOKEN#${tokenId}` }),
  /** Calendar feed secrets, found by the hash of the secret in the feed's URL, like tokens. */
  feed: (secretHash: string) => ({ pk: `FEED#${secretHash}`, sk: 'FEED' }),
  feedsOfCounty: (countyId: string) => ({ gsi1pk: `${county(countyId)}#FEEDS` }),
  feedInCounty: (feedId: string) => ({ gsi1sk: `FEED#${feedId}` }),
  /** A web-page session, found by the hash of its secret (the cookie); it names its token. */
  session: (secretHash: string) => ({ pk: `SESSION#${secretHash}`, sk: 'SESSION' }),

  /** The deployment's counties (name, time zone, SMS signature, city, province): one small partition, read whole. */
  counties: () => 'COUNTIES',
  county: (countyId: string) => ({ pk: 'COUNTIES', sk: `COUNTY#${countyId}` }),

  /** The year's plan: themes by month, key dates, settings. */
  planYear: (countyId: string, year: number) => ({ pk: `${county(countyId)}#PLAN#${year}`, sk: 'META' }),

  /** A campaign and its notices share one partition, so one Query reads them together. */
  campaignPartition: (countyId: string, campaignId: string) => `${county(countyId)}#CAMPAIGN#${campaignId}`,
  campaign: (countyId: string, campaignId: string) => ({ pk: keys.campaignPartition(countyId, campaignId), sk: 'META' }),
  /** Campaigns of a year (index byParent), ordered by window start. */
  campaignsOfYear: (countyId: string, year: number) => ({ gsi1pk: `${county(countyId)}#CAMPAIGNS#${year}` }),
  campaignInYear: (windowStart: string, campaignId: string) => ({ gsi1sk: `${windowStart}#${campaignId}` }),

  noticePrefix: 'NOTICE#',
  notice: (countyId: string, campaignId: string, noticeId: string) => ({
    pk: keys.campaignPartition(countyId, campaignId),
    sk: `NOTICE#${noticeId}`,
  }),
  /** Notices by review state (index byParent): the review queue is `submitted`. */
  noticesInState: (countyId: string, state: string) => ({ gsi1pk: `${county(countyId)}#NOTICES#${state}` }),
  noticeInState: (updatedAt: string, campaignId: string, noticeId: string) => ({ gsi1sk: `${updatedAt}#${campaignId}#${noticeId}` }),

  /** Townships, villages, stations and groups: small, read whole in one Query. */
  registry: (countyId: string) => `${county(countyId)}#REGISTRY`,
  registryItem: (countyId: string, kind: 'TOWNSHIP' | 'VILLAGE' | 'STATION' | 'GROUP' | 'DEPARTMENT' | 'PLACEMENT', id: string) => ({
    pk: `${county(countyId)}#REGISTRY`,
    sk: `${kind}#${id}`,
  }),

  /** Subscribers of a township, by village: audience expansion reads one township at a time. */
  subscribersOfTownship: (countyId: string, township: string) => `${county(countyId)}#SUBSCRIBERS#${township}`,
  subscriber: (countyId: string, township: string, village: string, phoneKey: string) => ({
    pk: keys.subscribersOfTownship(countyId, township),
    sk: `SUB#${village}#${phoneKey}`,
  }),
  subscriberVillagePrefix: (village: string) => `SUB#${village}#`,
  /** Find a subscriber by number (index byParent): opt-out, edit, delete. */
  subscriberByPhone: (countyId: string, phoneKey: string) => ({ gsi1pk: `${county(countyId)}#PHONE#${phoneKey}`, gsi1sk: 'SUB' }),
  /** Opted-out numbers, account-wide like the SNS opt-out list. */
  optOut: (phoneKey: string) => ({ pk: `OPTOUT#${phoneKey}`, sk: 'OPTOUT' }),
  optOutSync: () => ({ pk: 'SYNC', sk: 'SNS_OPTOUT' }),
  optOutPrefix: 'OPTOUT#',
  /** Where a resumable admin migration keeps its place (e.g. re-keying phone numbers). */
  migration: (name: string) => ({ pk: 'MIGRATION', sk: name }),

  /** Deliveries of a notice share a partition: status, failures and resume are one Query. */
  deliveriesOfNotice: (countyId: string, campaignId: string, noticeId: string) => `${county(countyId)}#NOTICE#${campaignId}#${noticeId}`,
  delivery: (countyId: string, campaignId: string, noticeId: string, sendIndex: number, recipient: string) => ({
    pk: keys.deliveriesOfNotice(countyId, campaignId, noticeId),
    sk: `D#${String(sendIndex).padStart(4, '0')}#${recipient}`,
  }),
  deliveryPrefix: 'D#',
  /**
   * A sent SMS's SNS message id -> its delivery (and a receipt that came first): receipts name only
   * the message id, and know no county. Expires with the table's TTL (store/receipts.ts).
   */
  smsMessage: (messageId: string) => ({ pk: `SMS#${messageId}`, sk: 'RECEIPT' }),
  /** Numbers the carrier failed to reach several times in a row, for staff to check: one small partition per county. */
  numbersToCheck: (countyId: string) => `${county(countyId)}#NUMBERS_TO_CHECK`,
  numberToCheck: (countyId: string, phoneKey: string) => ({ pk: `${county(countyId)}#NUMBERS_TO_CHECK`, sk: phoneKey }),
  /**
   * The due index is sharded so that no partition takes more writes than DynamoDB allows one
   * (domain/fair-queue `dueShardCount`, sized in docs/scale.md); never fewer than the first four.
   */
  dueShards: dueShardCount(dueIndexSizing),
  /**
   * A due entry: `<minute>#<rank>#<exact time>#<delivery id>`. Within a minute, entries sort by
   * their rank within their notice, so notices due together interleave (domain/fair-queue); the
   * exact time decides when it may go. Entries written before ranks (`<exact time>#<delivery id>`)
   * still sort into the same minute and are read by the same queries (`dueKeyTime` reads both).
   * `rank` is required so no writer forgets it: a delivery from before ranks passes undefined, 0.
   */
  due: (shard: number, dueAt: string, deliveryId: string, rank: number | undefined) => ({
    duePk: `DUE#${shard}`,
    dueAt: `${dueAt.slice(0, 16)}#${String(rank ?? 0).padStart(RANK_DIGITS, '0')}#${dueAt}#${deliveryId}`,
  }),
  dueShard: (shard: number) => `DUE#${shard}`,
  /** The exact time in a due entry's sort key, of either form. */
  dueKeyTime: (dueKey: string) => (dueKey.charAt(16) === '#' ? (dueKey.split('#')[2] ?? '') : (dueKey.split('#')[0] ?? '')),
  /** A sort key just past every entry due in `minute` (`YYYY-MM-DDTHH:MM`), of either form. */
  dueAfterMinute: (minute: string) => `${minute}:~`,
  /** A station's scripts (index byParent), in the order their air windows close. */
  stationScripts: (countyId: string, stationId: string) => `${county(countyId)}#STATION#${stationId}#SCRIPTS`,
  stationScript: (availableUntil: string, deliveryId: string) => `${availableUntil}#${deliveryId}`,
  noticeStats: (countyId: string, campaignId: string, noticeId: string) => ({ pk: keys.campaignPartition(countyId, campaignId), sk: `STATS#${noticeId}` }),
  /** Expanding a notice's audience is resumable work; pending jobs are listed in one index key. */
  expansion: (countyId: string, campaignId: string, noticeId: string) => ({ pk: keys.campaignPartition(countyId, campaignId), sk: `EXPAND#${noticeId}` }),
  expansionsPending: () => ({ gsi1pk: 'EXPANSIONS' }),
  /**
   * The county's SMS budget (its setting, and why SMS stopped) and each month's spend: one small
   * partition per county. A county whose SMS are held for the budget is listed in the byParent
   * index under one key, so each dispatcher run finds them with one Query.
   */
  smsBudget: (countyId: string) => ({ pk: `${county(countyId)}#SMS_BUDGET`, sk: 'SETTINGS' }),
  smsSpend: (countyId: string, month: string) => ({ pk: `${county(countyId)}#SMS_BUDGET`, sk: `SPEND#${month}` }),
  smsBudgetHolds: () => ({ gsi1pk: 'SMS_BUDGET_HOLDS' }),
  /** Send-rate buckets: one item per channel per second, shared by every dispatcher. */
  rateBucket: (channel: string, epochSecond: number) => ({ pk: `RATE#${channel}`, sk: String(epochSecond) }),

  /** When each station last fetched its scripts: one small partition per county. */
  stationContacts: (countyId: string) => `${county(countyId)}#STATION_CONTACTS`,
  stationContact: (countyId: string, stationId: string) => ({ pk: `${county(countyId)}#STATION_CONTACTS`, sk: stationId }),
  /** Stations' push subscriptions (`SUB#`) and what their receivers reported (`SEEN#`): one small partition per county. */
  stationPushes: (countyId: string) => `${county(countyId)}#STATION_PUSH`,
  stationSubscription: (countyId: string, stationId: string) => ({ pk: `${county(countyId)}#STATION_PUSH`, sk: `SUB#${stationId}` }),
  stationPushSeen: (countyId: string, stationId: string) => ({ pk: `${county(countyId)}#STATION_PUSH`, sk: `SEEN#${stationId}` }),
  stationSubscriptionPrefix: 'SUB#',
  stationPushSeenPrefix: 'SEEN#',

  /** An activity record; listed by year (index byParent) in date order, a month by prefix. */
  activity: (countyId: string, id: string) => ({ pk: `${county(countyId)}#ACTIVITY#${id}`, sk: 'META' }),
  activitiesOfYear: (countyId: string, year: number) => ({ gsi1pk: `${county(countyId)}#ACTIVITIES#${year}` }),
  activityInYear: (date: string, id: string) => ({ gsi1sk: `${date}#${id}` }),
  /** A year's tallies: every breakdown and month in one partition, read with one Query. */
  tallyYear: (countyId: string, year: number) => `${county(countyId)}#TALLY#${year}`,
  tallyCell: (countyId: string, year: number, dimension: string, value: string, month: number) => ({
    pk: `${county(countyId)}#TALLY#${year}`,
    sk: `${dimension}#${value}#${String(month).padStart(2, '0')}`,
  }),

  /** The audit log: one partition per county and local day, entries in time order. */
  auditDay: (countyId: string, date: string) => `${county(countyId)}#AUDIT#${date}`,
  auditEntry: (countyId: string, date: string, at: string, id: string) => ({ pk: `${county(countyId)}#AUDIT#${date}`, sk: `${at}#${id}` }),

  /**
   * The county's WeChat access token and its refresh lease (store/wechat-token.ts): one item per county.
   * Callback nonces (store/wechat-nonces.ts): one item per (timestamp, nonce) pair, so remembering one is
   * a conditional put on its own key, spread over partitions; the table's TTL removes them.
   */
  wechatToken: (countyId: string) => ({ pk: `${county(countyId)}#WECHAT`, sk: 'ACCESS_TOKEN' }),
  /** A mass send's msg_id -> its delivery (`SEND`), and WeChat's result event for it (`RESULT`), whichever comes first. */
  wechatSend: (countyId: string, msgId: string) => ({ pk: `${county(countyId)}#WECHAT_MSG#${msgId}`, sk: 'SEND' }),
  wechatResult: (countyId: string, msgId: string) => ({ pk: `${county(countyId)}#WECHAT_MSG#${msgId}`, sk: 'RESULT' }),
  /** Mass sends whose result has not come yet, every county's: one small partition the dispatcher follows up. */
  wechatOpen: (countyId: string, msgId: string) => ({ pk: 'WECHAT_OPEN', sk: `${county(countyId)}#${msgId}` }),
  wechatOpenSends: () => 'WECHAT_OPEN',
  wechatNonce: (countyId: string, timestamp: string, nonce: string) => ({ pk: `${county(countyId)}#WECHAT_NONCE#${timestamp}#${nonce}`, sk: 'NONCE' }),

  smsTemplates: (countyId: string) => `${county(countyId)}#SMS_TEMPLATES`,
  smsTemplate: (countyId: string, templateId: string) => ({ pk: `${county(countyId)}#SMS_TEMPLATES`, sk: `TEMPLATE#${templateId}` }),
} as const;
