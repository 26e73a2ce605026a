import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { must } from '../support/builders.js';
import { formatProblem, readYaml } from '../../functions/domain/yaml-source.js';

const schema = z.object({
  year: z.number().int(),
  months: z.record(z.string(), z.string()),
  items: z.array(z.object({ id: z.string(), count: z.number().min(0) })),
});

describe('readYaml', () => {
  it('returns the parsed value when it fits the schema', async () => {
    const read = await readYaml(schema, 'year: 2021\nmonths:\n  3: consumer\nitems: []\n', 'plan.yaml');
    expect(read.ok && read.source.value).toEqual({ year: 2021, months: { '3': 'consumer' }, items: [] });
  });

  it('points a schema failure at the line and column of the value', async () => {
    const text = ['year: 2021', 'months: {}', 'items:', '  - id: a', '    count: 1', '  - id: b', '    count: -3', ''].join('\n');
    const read = await readYaml(schema, text, 'plan.yaml');
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ file: 'plan.yaml', line: 7, column: 12, path: 'items.1.count' });
    expect(formatProblem(must(read.problems[0]))).toMatch(/^plan\.yaml:7:12 {2}items\.1\.count: /);
  });

  it('points a missing field at its parent', async () => {
    const read = await readYaml(schema, 'year: 2021\nmonths: {}\nitems:\n  - count: 1\n', 'plan.yaml');
    expect(!read.ok && read.problems[0]).toMatchObject({ line: 4, path: 'items.0.id' });
  });

  it('reports YAML syntax errors with their line, not a stack trace', async () => {
    const read = await readYaml(schema, 'year: 2021\nmonths: {\nitems: [\n', 'broken.yaml');
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems[0]?.file).toBe('broken.yaml');
    expect(read.problems[0]?.line).toBeGreaterThan(1);
    expect(read.problems[0]?.message).not.toMatch(/at .*\.js/);
  });

  it('refuses duplicate keys', async () => {
    const read = await readYaml(schema, 'year: 2021\nyear: 2022\nmonths: {}\nitems: []\n', 'dup.yaml');
    expect(!read.ok && read.problems[0]?.line).toBe(2);
  });

  it('locates numeric map keys such as months for later checks', async () => {
    const read = await readYaml(schema, 'year: 2021\nmonths:\n  1: a\n  13: b\nitems: []\n', 'plan.yaml');
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.source.locate(['months', '13'], 'unknown month')).toMatchObject({ line: 4, column: 7, path: 'months.13' });
  });
});

describe('readYaml and an alias bomb', () => {
  it('refuses aliases that expand past the limit as a problem, not a thrown error', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
    const read = await readYaml(schema, bomb, 'bomb.yaml');
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems).toEqual([{ file: 'bomb.yaml', line: 1, column: 1, path: '', message: expect.stringContaining('too many aliases') }]);
  });
});
