/**
 * @module local/plan-schema
 * `npm run plan:schema`: writes the JSON Schemas that editors use to autocomplete and check the
 * YAML files in campaigns/ (see the `yaml-language-server` line at the top of each file). They
 * are generated from the same zod schemas the server validates with; a test keeps them in step.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { planFileSchema } from '../domain/plan.js';
import { registrySchema } from '../domain/registry.js';
import { runCli } from './cli.js';

const campaignsDir = fileURLToPath(new URL('../../campaigns/', import.meta.url));

export const schemaFiles = {
  'plan.schema.json': { schema: planFileSchema, title: 'pufa year plan (campaigns/<year>.yaml)' },
  'registry.schema.json': { schema: registrySchema, title: 'pufa registry: townships, villages, stations, groups, departments' },
} as const;

export function renderSchema(name: keyof typeof schemaFiles): string {
  const { schema, title } = schemaFiles[name];
  // Input shape: what a person writes (defaults optional). Refinements that JSON Schema cannot
  // express (real dates, window order) are checked by `npm run plan`.
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return JSON.stringify({ ...json, title }, null, 2) + '\n';
}

const USAGE = `Usage:
  npm run plan:schema      write campaigns/plan.schema.json and campaigns/registry.schema.json`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  for (const name of Object.keys(schemaFiles) as (keyof typeof schemaFiles)[]) {
    writeFileSync(join(campaignsDir, name), renderSchema(name));
    console.log(`wrote campaigns/${name}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runCli(main, USAGE);
}
