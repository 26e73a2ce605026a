/**
 * @module local/cli
 * How pufa's command-line tools end: 0 when done, 2 with the usage text for a wrong call, 1 with
 * a one-line message for a known failure (bad config, a refused change), 1 with the full error
 * for anything unexpected — so a failure is always reported, never a silent exit.
 */
import { ConfigError } from '../config.js';
import { DomainError } from '../domain/errors.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function runCli(main: (argv: string[]) => Promise<number | void>, usage: string): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${usage}`);
        process.exit(2);
      }
      console.error(error instanceof ConfigError || error instanceof DomainError ? error.message : error);
      process.exit(1);
    },
  );
}
