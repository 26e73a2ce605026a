/**
 * Runs the longest test files first, so that the two workers finish together instead of one
 * starting a minutes-long file near the end while the other sits idle.
 *
 * A file's expected time is its duration in vitest's results cache when there is one (local runs),
 * else the figure below (CI's runs start with no cache; figures are from a CI run, in ms, those of
 * the files made faster since then scaled by their measured before/after ratio; they only order
 * the files: a stale figure costs balance, never a result). Files with neither keep vitest's own
 * order (larger files first) after these.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const EXPECTED_MS: Record<string, number> = {
  'test/e2e/pages.test.ts': 106_688,
  'test/integration/local-server.test.ts': 97_837,
  'test/integration/fuzz.test.ts': 130_000,
  'test/integration/plan-cli.test.ts': 70_000,
  'test/integration/cli-target.test.ts': 58_567,
  'test/integration/dispatch.test.ts': 54_659,
  'test/infra/context.test.ts': 37_500,
  'test/integration/authorization-matrix.test.ts': 34_247,
  'test/integration/sms-budget.test.ts': 33_450,
  'test/infra/synth.test.ts': 27_481,
  'test/integration/imports-encoding.test.ts': 24_500,
  'test/integration/cli-errors.test.ts': 17_500,
  'test/e2e/rollup.test.ts': 18_000,
};

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const expected = (spec: TestSpecification): number => {
      const path = relative(root, spec.moduleId).split('\\').join('/');
      return this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration ?? EXPECTED_MS[path] ?? 0;
    };
    const order = new Map(base.map((spec, index) => [spec, index]));
    return [...base].sort((a, b) => expected(b) - expected(a) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
}
