/**
 * The command-line entry points, bundled once per test run with esbuild, so that a test that runs
 * a CLI many times starts `node` on plain JavaScript instead of `tsx` on TypeScript each time (a
 * `tsx` start costs one to several seconds on 2 busy cores; the bundle's, a fraction of that).
 *
 * What is bundled is what the scripts run: each `npm run <script>` in package.json is `tsx <entry>`
 * and `npx cdk synth` runs cdk.json's `npx tsx <entry>`; the entries are read from there, so a
 * script pointed at another file is bundled from that file. esbuild does the same TypeScript
 * transform tsx does (tsx is esbuild underneath); the packages stay outside the bundle and load
 * from node_modules as under tsx. The files keep their place below the bundle folder
 * (`<dir>/functions/local/plan-cli.mjs`), with `node_modules`, `campaigns` and what infra/ reads
 * linked beside them, so paths a module takes from `import.meta.url` resolve as in the source tree.
 * Tests that prove the real `npm run` path itself run it (plan-cli.test.ts, cli-errors.test.ts).
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** `npm run <script>`'s entry file, from package.json (`tsx <entry>`). */
export function scriptEntry(script: string, root = process.cwd()): string {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts[script];
  const entry = command?.match(/^tsx (\S+\.ts)$/)?.[1];
  if (!entry) throw new Error(`package.json script "${script}" is not "tsx <file>.ts": ${command}`);
  return entry;
}

/** The CDK app's entry file, from cdk.json (`npx tsx <entry>`). */
export function cdkAppEntry(root = process.cwd()): string {
  const app = (JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app: string }).app;
  const entry = app.match(/^npx tsx (\S+\.ts)$/)?.[1];
  if (!entry) throw new Error(`cdk.json's app is not "npx tsx <file>.ts": ${app}`);
  return entry;
}

/** Where the bundle of `entry` (a path like functions/local/plan-cli.ts) is, below `dir`. */
export function bundlePath(dir: string, entry: string): string {
  return join(dir, entry.startsWith('infra/') ? 'infra-app' : 'cli', entry.replace(/\.ts$/, '.mjs'));
}

/** Entries of the npm scripts that run a TypeScript file with tsx. */
function scriptEntries(root: string): string[] {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return Object.values(scripts).flatMap((command) => command.match(/^tsx (functions\/\S+\.ts)$/)?.[1] ?? []);
}

async function bundle(root: string, outRoot: string, entries: string[], links: string[]): Promise<void> {
  mkdirSync(outRoot, { recursive: true });
  for (const name of links) symlinkSync(join(root, name), join(outRoot, name), 'dir');
  // One bundle per entry (no shared chunks): a module's import.meta.url is its entry's, one folder deep as in the tree.
  await build({
    absWorkingDir: root,
    entryPoints: entries,
    outbase: '.',
    outdir: outRoot,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`, // the Node that runs the bundles (and keeps import attributes)
    logLevel: 'warning',
  });
}

/** Bundles the npm scripts' and the CDK app's entries into `dir` (made here). */
export async function buildBundles(dir: string, root = process.cwd()): Promise<void> {
  const absolute = resolve(root);
  // The CLIs: campaigns/ is read relative to functions/local (two folders up).
  await bundle(absolute, join(dir, 'cli'), scriptEntries(absolute), ['node_modules', 'campaigns']);
  // The CDK app: infra/ names the handlers' sources (../functions) and the Lambda runtime's Node (../.node24).
  await bundle(absolute, join(dir, 'infra-app'), [cdkAppEntry(absolute)], ['node_modules', 'functions', '.node24']);
}
