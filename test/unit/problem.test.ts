import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Conflict, Forbidden, Invalid, NotFound, Unauthenticated, Unavailable } from '../../functions/domain/errors.js';
import { createLogger } from '../../functions/http/logger.js';
import { handleError, invalidFromZod, PROBLEM_CONTENT_TYPE } from '../../functions/http/problem.js';

/** A bare Hono app whose one route throws what the test hands it, through the real error handler. */
function appThrowing(error: unknown) {
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) });
  const app = new Hono();
  app.use(requestId());
  app.get('/boom', () => {
    throw error;
  });
  app.onError((thrown, c) => handleError(thrown, c, logger));
  return { app, logged };
}

async function problemOf(error: unknown) {
  const { app, logged } = appThrowing(error);
  const response = await app.request('/boom');
  return { response, body: (await response.json()) as Record<string, unknown>, logged };
}

describe('handleError', () => {
  it.each([
    [new Invalid('bad', [{ field: 'body.name', message: 'must not be empty' }]), 400, 'invalid'],
    [new Unauthenticated('who?'), 401, 'unauthenticated'],
    [new Forbidden('no'), 403, 'forbidden'],
    [new NotFound('gone'), 404, 'not-found'],
    [new Conflict('already approved'), 409, 'conflict'],
    [new Unavailable('table down'), 503, 'unavailable'],
  ])('maps %s to %i problem+json', async (error, status, type) => {
    const { response, body } = await problemOf(error);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(body).toMatchObject({ type: `/docs#problem-${type}`, status, detail: (error as Error).message, instance: '/boom' });
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
    expect(typeof body.title).toBe('string');
  });

  it('lists the failing fields of invalid input', async () => {
    const { body } = await problemOf(new Invalid('bad', [{ field: 'body.name', message: 'must not be empty' }]));
    expect(body.errors).toEqual([{ field: 'body.name', message: 'must not be empty' }]);
  });

  it('says when to ask again on 503 (Retry-After)', async () => {
    expect((await problemOf(new Unavailable('table down', 7))).response.headers.get('retry-after')).toBe('7');
    expect((await problemOf(new Unavailable('table down'))).response.headers.get('retry-after')).toBe('5');
  });

  it('asks for a bearer token on 401', async () => {
    const { response } = await problemOf(new Unauthenticated('who?'));
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="pufa"/);
  });

  it('hides unexpected errors behind a 500 and logs them with the stack', async () => {
    const { response, body, logged } = await problemOf(new TypeError('secret internals at /var/task/index.mjs'));
    expect(response.status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(JSON.stringify(body)).not.toContain('index.mjs');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', errorName: 'TypeError', requestId: body.requestId });
    expect(String(logged[0]?.stack)).toContain('TypeError');
  });

  it('maps HTTP exceptions from middleware (malformed JSON, 413)', async () => {
    expect((await problemOf(new HTTPException(400, { message: 'Malformed JSON in request body' }))).body.type).toBe(
      '/docs#problem-malformed-json',
    );
    expect((await problemOf(new HTTPException(413))).response.status).toBe(413);
  });
});

describe('invalidFromZod', () => {
  it('prefixes each field with where it came from', () => {
    const schema = z.object({ year: z.coerce.number().int().min(2000), months: z.array(z.number().max(12)) });
    const result = schema.safeParse({ year: 'x', months: [1, 13] });
    expect(result.success).toBe(false);
    if (result.success) return;
    const fields = invalidFromZod(result.error, 'query').fields.map((problem) => problem.field);
    expect(fields).toEqual(['query.year', 'query.months.1']);
    expect(invalidFromZod(result.error, 'json').fields[0]?.field).toBe('body.year');
    expect(invalidFromZod(result.error, 'param').fields[0]?.field).toBe('path.year');
  });
});
