/**
 * Builders for test data: say what matters in a test, default the rest.
 */
import {
  hashTokenSecret,
  newId,
  newTokenSecret,
  tokenRecordFromGrant,
  type TokenGrant,
  type TokenRecord,
} from '../../functions/domain/access.js';
import type { Store } from '../../functions/store/index.js';

export function aGrant(overrides: Partial<TokenGrant> & Pick<TokenGrant, 'role'>): TokenGrant {
  const base = { name: `测试${overrides.role}` };
  if (overrides.role === 'station') return { stationId: 'station-1', ...base, ...overrides } as TokenGrant;
  return { ...base, ...overrides } as TokenGrant;
}

/** Stores a token and returns its secret and record, as an admin would get them. */
export async function aToken(
  store: Store,
  county: string,
  grant: TokenGrant,
  options: { now?: Date; createdBy?: string } = {},
): Promise<{ secret: string; record: TokenRecord; headers: Record<string, string> }> {
  const now = options.now ?? new Date();
  const secret = newTokenSecret();
  const record = tokenRecordFromGrant(grant, { id: newId('tok', now), county, createdBy: options.createdBy ?? 'test', now });
  await store.tokens.create(record, await hashTokenSecret(secret));
  return { secret, record, headers: { Authorization: `Bearer ${secret}` } };
}

/** The value, or a failed test saying it was missing: instead of a non-null assertion. */
export function must<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, got ${String(value)}`);
  return value;
}
