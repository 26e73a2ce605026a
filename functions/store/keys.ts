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
} as const;
