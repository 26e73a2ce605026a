/**
 * @module routes/counties
 * Counties as data. The operator (平台管理员) creates a county, changes it and issues, lists and
 * revokes its tokens; a city's or a province's office lists the counties it reads. A county's own
 * tokens never reach these routes.
 */
import { z } from 'zod';
import { idSchema, tokenForDisplay, tokenGrantSchema, tokenRecordSchema } from '../domain/access.js';
import { countyIdSchema, countyInputSchema, countyPatchSchema, countyRecordSchema } from '../domain/county.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { createCounty, issueCountyToken, listCounties, listCountyTokens, readCounty, revokeCountyToken, updateCounty } from '../workflows/counties.js';

const county = countyRecordSchema.extend({ monthlyBudgetYuan: z.number().nullable() }).meta({ id: 'County' });
const countyParams = z.object({ id: countyIdSchema });
const notFound = problemResponseSpec('No such county for this token');

const createRoute = securedRoute(['operator'], {
  method: 'post',
  path: '/counties',
  tags: ['counties'],
  summary: 'Create a county: id, name, time zone, SMS signature, monthly SMS budget, city and province',
  description: 'Audited (`county.create`, in the deployment’s log; the budget as `sms-budget.update` in the county’s). Then issue its first admin token at `POST /counties/{id}/tokens`.',
  request: { body: jsonBody(countyInputSchema.meta({ id: 'CountyInput' })) },
  responses: { 201: jsonResponse(county, 'Created'), 409: problemResponseSpec('A county with this id exists') },
});

const listRoute = securedRoute(['operator', 'city', 'province'], {
  method: 'get',
  path: '/counties',
  tags: ['counties'],
  summary: 'The counties this token reads: every one (operator), a city’s or a province’s',
  responses: { 200: jsonResponse(z.object({ items: z.array(countyRecordSchema.meta({ id: 'CountyRecord' })) }), 'The counties, by id') },
});

const getRoute = securedRoute(['operator', 'city', 'province'], {
  method: 'get',
  path: '/counties/{id}',
  tags: ['counties'],
  summary: 'One county',
  request: { params: countyParams },
  responses: { 200: jsonResponse(county, 'The county'), 404: notFound },
});

const patchRoute = securedRoute(['operator'], {
  method: 'patch',
  path: '/counties/{id}',
  tags: ['counties'],
  summary: 'Change a county’s name, time zone, SMS signature, budget, city or province (null takes one off)',
  description: 'Audited (`county.update`). A running API sees the change within a minute (each process keeps a county’s record that long).',
  request: { params: countyParams, body: jsonBody(countyPatchSchema.meta({ id: 'CountyPatch' })) },
  responses: { 200: jsonResponse(county, 'The county as it now stands'), 404: notFound, 409: problemResponseSpec('Changed meanwhile; read it again') },
});

const issueRoute = securedRoute(['operator'], {
  method: 'post',
  path: '/counties/{id}/tokens',
  tags: ['counties'],
  summary: 'Issue a token in a county (its first admin, usually); the secret is shown once',
  request: { params: countyParams, body: jsonBody(tokenGrantSchema) },
  responses: {
    201: jsonResponse(z.object({ secret: z.string(), token: tokenRecordSchema }), 'Issued; keep the secret, it is not shown again'),
    404: notFound,
  },
});

const listTokensRoute = securedRoute(['operator'], {
  method: 'get',
  path: '/counties/{id}/tokens',
  tags: ['counties'],
  summary: 'A county’s tokens (without secrets)',
  request: { params: countyParams, query: pageQuerySchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(tokenRecordSchema), nextCursor: z.string().optional() }), 'One page of tokens'), 404: notFound },
});

const revokeRoute = securedRoute(['operator'], {
  method: 'delete',
  path: '/counties/{id}/tokens/{tokenId}',
  tags: ['counties'],
  summary: 'Revoke a county’s token (idempotent)',
  request: { params: countyParams.extend({ tokenId: idSchema }) },
  responses: { 200: jsonResponse(tokenRecordSchema, 'Revoked (or already was)'), 404: notFound },
});

export function countyRoutes() {
  return newRouter()
    .openapi(createRoute, async (c) => {
      const { store, config, clock } = c.var.deps;
      return c.json(await createCounty({ store, config, now: clock() }, c.var.caller, c.req.valid('json')), 201);
    })
    .openapi(listRoute, async (c) => c.json({ items: await listCounties(c.var.deps.store, c.var.caller) }, 200))
    .openapi(getRoute, async (c) => c.json(await readCounty(c.var.deps.store, c.var.caller, c.req.valid('param').id), 200))
    .openapi(patchRoute, async (c) => {
      const { store, config, clock } = c.var.deps;
      return c.json(await updateCounty({ store, config, now: clock() }, c.var.caller, c.req.valid('param').id, c.req.valid('json')), 200);
    })
    .openapi(issueRoute, async (c) => {
      const { store, clock } = c.var.deps;
      const { secret, record } = await issueCountyToken({ store, now: clock() }, c.var.caller, c.req.valid('param').id, c.req.valid('json'));
      return c.json({ secret, token: tokenForDisplay(record) }, 201);
    })
    .openapi(listTokensRoute, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await listCountyTokens(c.var.deps.store, c.req.valid('param').id, { limit, cursor });
      return c.json({ ...page, items: page.items.map(tokenForDisplay) }, 200);
    })
    .openapi(revokeRoute, async (c) => {
      const { store, clock } = c.var.deps;
      const { id, tokenId } = c.req.valid('param');
      return c.json(tokenForDisplay(await revokeCountyToken({ store, now: clock() }, c.var.caller, id, tokenId)), 200);
    });
}
