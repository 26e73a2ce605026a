import { describe, expect, it } from 'vitest';
import { createLogger, errorFields } from '../../functions/http/logger.js';

describe('createLogger', () => {
  const clock = () => new Date('2026-06-26T00:00:00Z');

  it('writes one JSON object per line with bound fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line), clock }).child({ requestId: 'r1' });
    logger.info('request', { status: 200 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-06-26T00:00:00.000Z',
      level: 'info',
      message: 'request',
      requestId: 'r1',
      status: 200,
    });
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line), clock });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['c', 'd']);
  });

  it('describes errors with their stack for the log', () => {
    const fields = errorFields(new TypeError('boom'));
    expect(fields).toMatchObject({ errorName: 'TypeError', errorMessage: 'boom' });
    expect(String(fields.stack)).toContain('logger.test.ts');
    expect(errorFields('plain')).toEqual({ errorName: 'string', errorMessage: 'plain' });
  });
});
