/**
 * @module local/plan-file
 * Reads a plan file from disk with the registry file it names, and checks them the way the
 * server will, so every mistake comes back as `file:line:column  path: message`.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { checkPlan, type PlanFile } from '../domain/plan.js';
import { checkRegistry, registrySchema, type Registry } from '../domain/registry.js';
import { readYaml, type LocatedProblem } from '../domain/yaml-source.js';
import { planFileSchema } from '../domain/plan.js';

export type PlanFileResult =
  | { ok: true; plan: PlanFile; registry: Registry | undefined; timeZone: string }
  | { ok: false; problems: LocatedProblem[] };

export async function readPlanFile(path: string, options: { defaultTimeZone: string }): Promise<PlanFileResult> {
  const shown = relative(process.cwd(), resolve(path)) || path;
  const text = readText(path, shown);
  if (typeof text !== 'string') return text;
  const read = await readYaml(planFileSchema, text, shown);
  if (!read.ok) return read;
  const plan = read.source.value;

  let registry: Registry | undefined;
  if (plan.registry !== undefined) {
    const registryPath = resolve(dirname(path), plan.registry);
    const registryShown = relative(process.cwd(), registryPath);
    const registryText = readText(registryPath, registryShown, () => read.source.locate(['registry'], `cannot read ${registryShown}`));
    if (typeof registryText !== 'string') return registryText;
    const readRegistry = await readYaml(registrySchema, registryText, registryShown);
    if (!readRegistry.ok) return readRegistry;
    const registryProblems = checkRegistry(readRegistry.source.value);
    if (registryProblems.length > 0) {
      return { ok: false, problems: registryProblems.map((problem) => readRegistry.source.locate(problem.path, problem.message)) };
    }
    registry = readRegistry.source.value;
  }

  const timeZone = plan.timeZone ?? options.defaultTimeZone;
  const problems = checkPlan(plan, { timeZone, registry });
  if (problems.length > 0) return { ok: false, problems: problems.map((problem) => read.source.locate(problem.path, problem.message)) };
  return { ok: true, plan, registry, timeZone };
}

function readText(path: string, shown: string, locate?: () => LocatedProblem): string | { ok: false; problems: LocatedProblem[] } {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : `cannot read it (${code ?? (error as Error).message})`;
    return { ok: false, problems: [locate?.() ?? { file: shown, line: 0, column: 0, path: '', message: reason }] };
  }
}
