/**
 * Names people typed (themes, townships) come back in the CSV export; one that starts like a
 * formula must open in Excel as text, never run (OWASP CSV injection), while figures stay numbers.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { neutraliseCell } from '../../functions/reports/export.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { plan2021, sampleRegistry } from '../support/planning.js';

const county = 'testcounty';
const EVIL_THEME = "=cmd|'/C calc'!A0";
const EVIL_TOWNSHIP = ' @SUM(1+1)*cmd';
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let countyOffice: Record<string, string>;

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(new Date('2021-12-20T04:00:00Z'));
  app = createApp(db.deps);
  const plan = plan2021();
  const registry = sampleRegistry();
  const loaded = await loadPlan(
    { store: db.store, config: db.config, now: new Date('2021-01-01T00:00:00Z') },
    {
      plan: { ...plan, county, themes: plan.themes.map((theme) => (theme.id === 'consumer-rights' ? { ...theme, name: EVIL_THEME } : theme)) },
      registry: { ...registry, townships: registry.townships.map((township) => (township.id === 'chengxiang' ? { ...township, name: EVIL_TOWNSHIP } : township)) },
      county,
      loader: { kind: 'system' },
      actor: { tokenId: 't', name: 'n' },
      dryRun: false,
    },
  );
  expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
  const staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
  const recorded = await app.request('/activities', {
    method: 'POST',
    headers: { ...staff, 'Content-Type': 'application/json' },
    body: JSON.stringify({ date: '2021-03-15', township: 'chengxiang', village: 'chengxiang-xiangyang', theme: 'consumer-rights', kind: 'event', title: '3·15', participants: 120, materials: [{ kind: '宣传单', count: 800 }] }),
  });
  expect(recorded.status, await recorded.clone().text()).toBe(201);
});
afterAll(async () => db.drop());

async function exported(breakdown: string): Promise<string[][]> {
  const response = await app.request(`/tallies/export.csv?year=2021&breakdown=${breakdown}`, { headers: countyOffice });
  expect(response.status).toBe(200);
  return parse(await response.text(), { bom: true }) as string[][];
}

describe('CSV export of names that look like formulas', () => {
  it('writes a theme named =cmd|… as text with a leading quote, its figures as plain numbers', async () => {
    const row = (await exported('theme')).find((cells) => cells[0]?.includes('cmd|'));
    expect(row?.[0]).toBe(`'${EVIL_THEME}`);
    expect(row?.slice(1, 4)).toEqual(['1', '120', '800']);
  });

  it('writes a township named @SUM… as text too', async () => {
    const row = (await exported('township')).find((cells) => cells[0]?.includes('SUM'));
    expect(row?.[0]).toBe(`'${EVIL_TOWNSHIP.trim()}`); // the registry trims names
  });

  it('leaves numbers alone, negative ones included, and quotes every formula start', () => {
    expect(neutraliseCell(-3)).toBe(-3);
    expect(neutraliseCell(0)).toBe(0);
    expect(neutraliseCell('消费者权益保护')).toBe('消费者权益保护');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutraliseCell(`${start}1+1`)).toBe(`'${start}1+1`);
  });
});
