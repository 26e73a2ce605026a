/**
 * Every command-line tool, given bad input, prints one clear line on stderr and exits 1 — never a
 * stack trace: a missing file, a folder for a file, an alias bomb, unknown or bad options.
 * (Refusals by the database's workflows and bad CSV files: imports-encoding.test.ts.)
 * Each script's first case runs its entry file with tsx, as `npm run` does; the others the entry
 * file's bundle (test/support/cli.ts), which starts in a fraction of tsx's time. (The real
 * `npm run` path: plan-cli.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptEntry } from '../support/bundles.js';
import { runScript, runScriptWithTsx } from '../support/cli.js';
import { SLOW_TEST_MS } from '../support/timeouts.js';

const work = mkdtempSync(join(tmpdir(), 'pufa-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bomb = join(work, 'bomb.yaml');
writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'year: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n'));

const STACK = /^\s+at .*[(:]|\.(ts|m?js):\d+/m;

const cases: [string, string, string[], RegExp][] = [
  ['plan', 'plan-cli.ts', ['--bogus', 'campaigns/2021.yaml'], /^error: Unknown option '--bogus'.*--help/],
  ['plan', 'plan-cli.ts', [], /^error: Name exactly one plan file\./],
  ['plan', 'plan-cli.ts', [join(work, 'missing.yaml')], /missing\.yaml:0:0 {2}no such file$/m],
  ['plan', 'plan-cli.ts', [work], /:0:0 {2}a folder, not a file$/m],
  ['plan', 'plan-cli.ts', [bomb], /bomb\.yaml:1:1 {2}too many aliases/],
  ['token', 'token-cli.ts', ['create', '--role', 'wizard', '--name', 'x'], /^error: --role: .*--help/],
  ['token', 'token-cli.ts', ['feed-create', '--label', ' '], /^error: --label: /],
  ['token', 'token-cli.ts', ['feed-revoke'], /^error: feed-revoke needs the feed id/],
  ['token', 'token-cli.ts', ['frobnicate'], /^error: Unknown or missing command "frobnicate"/],
  ['import', 'import-cli.ts', ['subscribers', join(work, 'missing.csv')], /^error: Cannot read \S+missing\.csv: no such file$/m],
  ['import', 'import-cli.ts', ['people', 'x.csv'], /^error: Say what to import/],
  ['dispatch', 'dispatch-cli.ts', ['--budget', 'soon'], /^error: --budget: seconds, 1 to 900/],
  ['reconcile', 'reconcile-cli.ts', ['--year', 'last'], /^error: --year: a year such as 2021/],
  ['plan:schema', 'plan-schema.ts', ['--out', 'x'], /^error: Unknown option '--out'/],
];
/** The first case of each script goes through tsx; the rest through the bundle. */
const viaTsx = (name: string, index: number) => cases.findIndex(([other]) => other === name) === index;

describe('the CLIs given bad input', () => {
  const rows = cases.map(([name, script, args, message], index) => [name, viaTsx(name, index) ? 'tsx' : 'bundle', script, args, message] as const);
  it.each(rows)('npm run %s (%s) %j: one clear line, exit 1', async (name, how, script, args, message) => {
    expect(scriptEntry(name)).toBe(`functions/local/${script}`);
    const result = await (how === 'tsx' ? runScriptWithTsx : runScript)(name, [...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK);
    expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('error:')).length).toBeLessThanOrEqual(1);
  }, SLOW_TEST_MS);
});
