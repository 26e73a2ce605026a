/**
 * @module routes/tokens
 * Access tokens: admins issue (`POST /tokens`, the secret is shown once), list and revoke them;
 * anyone with a token can ask who they are (`GET /me`).
 */
import { z } from 'zod';
import {
  callerSchema,
  checkGrantExpiry,
  idSchema,
  newId,
  newTokenSecret,
  hashTokenSecret,
  roles,
  tokenGrantSchema,
  tokenRecordFromGrant,
  tokenRecordSchema,
} from '../domain/access.js';
import { actorOfCaller, auditEntry } from '../domain/audit.js';
import { Invalid } from '../domain/errors.js';
import { checkGrantScope } from '../domain/registry.js';
import { invalid } from '../workflows/notices.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';

const tokenRecord = tokenRecordSchema.meta({ id: 'Token' });
const grant = tokenGrantSchema.meta({ id: 'TokenGrant' });

const issuedSchema = z
  .object({
    secret: z.string().describe('The bearer token. Shown only in this response; only its hash is kept.'),
    token: tokenRecord,
  })
  .meta({ id: 'IssuedToken' });

const caller = callerSchema.meta({ id: 'Caller' });

const json = jsonResponse;

const issueToken = securedRoute(['admin'], {
  method: 'post',
  path: '/tokens',
  tags: ['access'],
  summary: 'Issue an access token',
  request: { body: jsonBody(grant) },
  responses: { 201: json(issuedSchema, 'Issued; keep the secret, it is not shown again') },
});

const listTokens = securedRoute(['admin'], {
  method: 'get',
  path: '/tokens',
  tags: ['access'],
  summary: 'List the county’s tokens (without secrets)',
  request: { query: pageQuerySchema },
  responses: {
    200: json(z.object({ items: z.array(tokenRecord), nextCursor: z.string().optional() }), 'One page of tokens'),
  },
});

const revokeToken = securedRoute(['admin'], {
  method: 'delete',
  path: '/tokens/{id}',
  tags: ['access'],
  summary: 'Revoke a token (idempotent)',
  request: { params: z.object({ id: idSchema }) },
  responses: { 200: json(tokenRecord, 'Revoked (or already was)'), 404: problemResponseSpec('No such token in this county') },
});

const whoAmI = securedRoute(roles, {
  method: 'get',
  path: '/me',
  tags: ['access'],
  summary: 'Who the token belongs to',
  responses: { 200: json(caller, 'The caller') },
});

export function tokenRoutes() {
  return newRouter()
    .openapi(issueToken, async (c) => {
      const body = c.req.valid('json');
      const { store, clock } = c.var.deps;
      const now = clock();
      const expiryProblem = checkGrantExpiry(body, now);
      if (expiryProblem) {
        throw new Invalid('The token would already be expired.', [{ field: 'body.expiresAt', message: expiryProblem }]);
      }
      const scopeProblems = checkGrantScope(body, await store.plans.getRegistry(c.var.caller.county));
      if (scopeProblems.length > 0) throw invalid('The token’s scope names what is not in the registry.', scopeProblems);
      const secret = newTokenSecret();
      const record = tokenRecordFromGrant(body, {
        id: newId('tok', now),
        county: c.var.caller.county,
        createdBy: c.var.caller.tokenId,
        now,
      });
      const audit = auditEntry({ county: record.county, actor: actorOfCaller(c.var.caller), action: 'token.issue', subject: { kind: 'token', id: record.id }, after: record, now, timeZone: c.var.deps.config.timeZone });
      await store.tokens.create(record, await hashTokenSecret(secret), audit);
      return c.json({ secret, token: record }, 201);
    })
    .openapi(listTokens, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      return c.json(await c.var.deps.store.tokens.list(c.var.caller.county, { limit, cursor }), 200);
    })
    .openapi(revokeToken, async (c) => {
      const { id } = c.req.valid('param');
      const { store, clock, config } = c.var.deps;
      const now = clock();
      const audit = (before: object, after: object) =>
        auditEntry({ county: c.var.caller.county, actor: actorOfCaller(c.var.caller), action: 'token.revoke', subject: { kind: 'token', id }, before, after, now, timeZone: config.timeZone });
      return c.json(await store.tokens.revoke(c.var.caller.county, id, now, audit), 200);
    })
    .openapi(whoAmI, (c) => c.json(c.var.caller, 200));
}
