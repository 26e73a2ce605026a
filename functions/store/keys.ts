/**
 * @module store/keys
 * Key builders: the only place where key strings such as "TOKEN#" are spelled.
 * Every key that belongs to a county starts with `C#<county>`, so one table can serve many counties.
 */

const county = (countyId: string) => `C#${countyId}`;

export const keys = {
  /** A health probe item that never exists; reading it proves the table answers. */
  healthProbe: () => ({ pk: 'HEALTH', sk: 'PROBE' }),

  /** Access tokens are found by the hash of the secret, before the county is known. */
  token: (secretHash: string) => ({ pk: `TOKEN#${secretHash}`, sk: 'TOKEN' }),
  /** Tokens of a county (index byParent), in creation order because token ids sort by time. */
  tokensOfCounty: (countyId: string) => ({ gsi1pk: `${county(countyId)}#TOKENS` }),
  tokenInCounty: (tokenId: string) => ({ gsi1sk: `TOKEN#${tokenId}` }),

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
  registryItem: (countyId: string, kind: 'TOWNSHIP' | 'VILLAGE' | 'STATION' | 'GROUP', id: string) => ({
    pk: `${county(countyId)}#REGISTRY`,
    sk: `${kind}#${id}`,
  }),

  smsTemplates: (countyId: string) => `${county(countyId)}#SMS_TEMPLATES`,
  smsTemplate: (countyId: string, templateId: string) => ({ pk: `${county(countyId)}#SMS_TEMPLATES`, sk: `TEMPLATE#${templateId}` }),
} as const;
