/**
 * @module local/cli
 * How pufa's command-line tools end, in one place: 0 when done; 1 with one line on stderr for
 * every failure — a wrong call (with where to find the usage), bad config, a refused change (each
 * reason the workflow gave), a database that does not answer, a file that cannot be read, or an
 * error nobody foresaw. Never a stack trace: people run these, and the line says what to do.
 */
import { ConfigError } from '../config.js';
import { DomainError, Invalid } from '../domain/errors.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the command foresaw (a file it cannot read): its message is the whole story. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** The one line a failure is reported as (newlines in a message become "; "). */
export function describeFailure(error: unknown, helpHint: string): string {
  if (error instanceof UsageError || isParseArgsError(error)) return `${oneLine((error as Error).message)} (${helpHint})`;
  if (error instanceof Invalid && error.fields.length > 0) {
    return oneLine(`${error.message} ${error.fields.map((field) => `${field.field}: ${field.message}`).join('; ')}`);
  }
  if (error instanceof ConfigError || error instanceof DomainError || error instanceof CliFailure) return oneLine(error.message);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return oneLine(`unexpected ${error.name}${code && !error.message.includes(code) ? ` ${code}` : ''}: ${error.message}`);
  }
  return oneLine(`unexpected failure: ${String(error)}`);
}

export function runCli(main: (argv: string[]) => Promise<number | void>, usage: string): void {
  const command = /npm run [\w:]+/.exec(usage)?.[0] ?? 'the command';
  const fail = (error: unknown) => {
    console.error(`error: ${describeFailure(error, `${command} -- --help shows how to call it`)}`);
    process.exit(1);
  };
  // Failures outside main's promise (a child process dying, a stray rejection) end the same way.
  process.once('uncaughtException', fail);
  process.once('unhandledRejection', fail);
  main(process.argv.slice(2)).then((code) => process.exit(code ?? 0), fail);
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && ((error as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_');
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}
