/**
 * Runs a command-line tool the way `npm run <script> -- ARGS` does, on its bundle from this run's
 * global setup (test/support/bundles.ts): the same entry file package.json names, started with
 * `node` instead of `tsx`. {@link runScriptWithTsx} runs the entry file with tsx, as the script
 * does, and {@link runNpmScript} the real `npm run` path (npm, then tsx: the slowest start), for the
 * tests that prove the scripts themselves.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { bundlePath, scriptEntry } from './bundles.js';
import { STALL_GUARD_MS } from './timeouts.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** A hang guard (default {@link STALL_GUARD_MS}): a command that opens a database takes a minute and more on a loaded machine. */
  timeout?: number;
}

const execute = promisify(execFile);

function settle(run: Promise<{ stdout: string; stderr: string }>): Promise<CliResult> {
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number | string; stdout?: string; stderr?: string }) => {
      // A spawn failure (no node, a timeout's kill) has no exit code: not a CLI's answer.
      if (typeof error.code !== 'number') throw error;
      return { code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
    },
  );
}

/** The node command line for `npm run <script> -- args`, on the bundle of the script's entry. */
export function scriptCommand(script: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, [bundlePath(inject('bundlesDir'), scriptEntry(script)), ...args]];
}

/** `npm run <script> -- args` on the bundle: the exit code and the output, whatever the code. */
export function runScript(script: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const [node, nodeArgs] = scriptCommand(script, args);
  return settle(execute(node, nodeArgs, { timeout: options.timeout ?? STALL_GUARD_MS, ...(options.env ? { env: options.env } : {}) }));
}

/** `npm run <script> -- args` as the script runs it: tsx on the entry file (in this process's Node, as the tests always did). */
export function runScriptWithTsx(script: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return settle(execute(process.execPath, ['--import', 'tsx', scriptEntry(script), ...args], { timeout: options.timeout ?? STALL_GUARD_MS, ...(options.env ? { env: options.env } : {}) }));
}

/** The real `npm run --silent <script> -- args` (npm, then tsx on the entry file). */
export function runNpmScript(script: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return settle(execute('npm', ['run', '--silent', script, '--', ...args], { timeout: options.timeout ?? STALL_GUARD_MS, ...(options.env ? { env: options.env } : {}) }));
}
