import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchema, schemaFiles } from '../../functions/local/plan-schema.js';

describe('the JSON Schemas in campaigns/', () => {
  for (const name of Object.keys(schemaFiles) as (keyof typeof schemaFiles)[]) {
    it(`${name} is what the zod schema generates (run npm run plan:schema after changing it)`, () => {
      expect(readFileSync(`campaigns/${name}`, 'utf8')).toBe(renderSchema(name));
    });
  }

  it('describes the plan’s sections and the notice channels', () => {
    const plan = JSON.parse(renderSchema('plan.schema.json')) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(plan.properties)).toEqual(
      expect.arrayContaining(['year', 'themes', 'months', 'keyDates', 'smsTemplates', 'campaigns', 'settings']),
    );
    expect(plan.required).toEqual(expect.arrayContaining(['year', 'themes', 'months']));
    expect(JSON.stringify(plan)).toContain('"broadcast"');
  });
});
