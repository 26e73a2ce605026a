/**
 * @module http/logger
 * Structured JSON logs, one object per line, as CloudWatch Logs Insights likes them.
 * Callers pass fields, never free-form strings built from personal data.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const rank: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel | 'silent';
  /** Where lines go; tests pass an array's push to read them back. */
  write?: (line: string) => void;
  clock?: () => Date;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const clock = options.clock ?? (() => new Date());
  const emit = (level: LogLevel) =>
    function log(message: string, fields: LogFields = {}) {
      if (rank[level] < rank[options.level]) return;
      write(JSON.stringify({ time: clock().toISOString(), level, message, ...bound, ...fields }));
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** An error as log fields: name, message and stack go to the log, never to a response. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    return { errorName: error.name, errorMessage: error.message, stack: error.stack };
  }
  return { errorName: typeof error, errorMessage: String(error) };
}
