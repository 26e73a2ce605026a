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
import type { ActivityRecord } from '../../functions/domain/activity.js';
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

let activitiesMade = 0;

/** An activity record as stored (for pure progress tests): year and month follow its date. */
export function anActivity(overrides: Partial<ActivityRecord> = {}): ActivityRecord {
  activitiesMade += 1;
  const date = overrides.date ?? '2031-03-10';
  return {
    id: `a${activitiesMade}`,
    county: 'c',
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    date,
    township: 'chengxiang',
    theme: 'consumer-rights',
    kind: 'event',
    participants: 100,
    materials: [{ kind: '宣传单', count: 50 }],
    departments: ['shichang'],
    version: 1,
    createdBy: { tokenId: 't', name: 'n' },
    createdAt: `${date}T00:00:00Z`,
    updatedAt: `${date}T00:00:00Z`,
    ...overrides,
  };
}
