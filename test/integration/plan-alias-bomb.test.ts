/**
 * A YAML plan whose aliases would expand into millions of values ("billion laughs") is bad input:
 * 400 problem+json naming the body and the cause, nothing written — not a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { tableItems } from '../support/table-snapshot.js';

let db: TestDatabase;
let send: Send;
let staff: Record<string, string>;

beforeAll(async () => {
  db = await freshTable();
  send = sendTo(createApp(db.deps));
  staff = (await aToken(db.store, 'testcounty', aGrant({ role: 'staff' }))).headers;
});
afterAll(async () => db.drop());

describe('POST /plans with an alias bomb', () => {
  it('answers 400 naming the cause and writes nothing', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'year: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
    const before = await tableItems(db.client, db.tableName);
    const answer = await send('POST', '/plans', staff, bomb, 'application/yaml');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors).toEqual([{ field: 'body', message: expect.stringContaining('too many aliases') }]);
    expect(await tableItems(db.client, db.tableName)).toEqual(before);
  });
});
