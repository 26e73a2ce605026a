/**
 * @module routes/tokens
 * Access tokens: admins issue (`POST /tokens`, the secret is shown once), list and revoke them;
 * anyone with a token can ask who they are (`GET /me`).
 */
import { z } from 'zod';
import { callerSchema, checkGrantRole, idSchema, roles, tokenForDisplay, tokenGrantSchema, tokenRecordSchema } from '../domain/access.js';
import { Forbidden } from '../domain/errors.js';
import { actorOfCaller } from '../domain/audit.js';
import { issueToken as issue, revokeToken as revoke } from '../workflows/tokens.js';
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

const issueToken = securedRoute(['admin', 'operator'], {
  method: 'post',
  path: '/tokens',
  tags: ['access'],
  summary: 'Issue an access token',
  description: 'A county’s admin issues its county’s roles; the operator issues operator, city and province tokens (a county’s own at `POST /counties/{id}/tokens`).',
  request: { body: jsonBody(grant) },
  responses: { 201: json(issuedSchema, 'Issued; keep the secret, it is not shown again') },
});

const listTokens = securedRoute(['admin', 'operator'], {
  method: 'get',
  path: '/tokens',
  tags: ['access'],
  summary: 'List the county’s tokens (without secrets)',
  request: { query: pageQuerySchema },
  responses: {
    200: json(z.object({ items: z.array(tokenRecord), nextCursor: z.string().optional() }), 'One page of tokens'),
  },
});

const revokeToken = securedRoute(['admin', 'operator'], {
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
      const { store, clock, config } = c.var.deps;
      const { caller } = c.var;
      const grant = c.req.valid('json');
      const refusal = checkGrantRole(caller.role, grant);
      if (refusal) throw new Forbidden(`This token may not issue a ${grant.role} token: ${refusal}.`);
      const { secret, record } = await issue(
        { store, timeZone: config.timeZone, now: clock() },
        { county: caller.county, grant, actor: actorOfCaller(caller), createdBy: caller.tokenId },
      );
      return c.json({ secret, token: record }, 201);
    })
    .openapi(listTokens, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await c.var.deps.store.tokens.list(c.var.caller.county, { limit, cursor });
      return c.json({ ...page, items: page.items.map(tokenForDisplay) }, 200);
    })
    .openapi(revokeToken, async (c) => {
      const { store, clock, config } = c.var.deps;
      const { caller } = c.var;
      const revoked = await revoke({ store, timeZone: config.timeZone, now: clock() }, { county: caller.county, tokenId: c.req.valid('param').id, actor: actorOfCaller(caller) });
      return c.json(revoked, 200);
    })
    .openapi(whoAmI, (c) => c.json(c.var.caller, 200));
}
