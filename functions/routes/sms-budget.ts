/**
 * @module routes/sms-budget
 * `GET /sms-budget`: this month's SMS spend against the county's budget, and, when SMS stopped, why
 * (in Chinese, as the dashboard shows it). `PUT /sms-budget`: the county office (or an admin) sets
 * the monthly budget in yuan; a raise lets held SMS go at the dispatcher's next run.
 */
import { z } from 'zod';
import { smsBudgetInputSchema } from '../domain/sms-budget.js';
import { jsonBody, jsonResponse, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { readBudget, setBudget } from '../workflows/sms-budget.js';

const budgetViewSchema = z
  .object({
    month: z.string().describe('YYYY-MM, the county’s calendar month'),
    monthlyYuan: z.number().optional().describe('the budget in force; absent: no limit'),
    source: z.enum(['county', 'default', 'none']).describe('set by the county, the deployment’s default, or none'),
    spentYuan: z.number().describe('counted against the budget: real prices where receipts came, estimates otherwise'),
    realYuan: z.number().describe('what SNS charged so far (receipts)'),
    spentUsd: z.number(),
    remainingYuan: z.number().optional(),
    sms: z.number().int(),
    receipts: z.number().int(),
    yuanPerUsd: z.number(),
    stopped: z.boolean().describe('SMS are held (pending) for the budget'),
    reason: z.string().optional(),
    stoppedSince: z.string().optional(),
    heldNotices: z.number().int(),
  })
  .meta({ id: 'SmsBudget' });

const getBudgetRoute = securedRoute(['county', 'admin', 'staff'], {
  method: 'get',
  path: '/sms-budget',
  tags: ['sms-budget'],
  summary: 'This month’s SMS spend against the county’s monthly budget, and why SMS stopped if they did',
  responses: { 200: jsonResponse(budgetViewSchema, 'The month’s budget and spend') },
});

const putBudgetRoute = securedRoute(['county', 'admin'], {
  method: 'put',
  path: '/sms-budget',
  tags: ['sms-budget'],
  summary: 'Set the county’s monthly SMS budget (yuan); null removes it',
  description: 'Audited (`sms-budget.update`). Raising it lets SMS held for the budget go again at the dispatcher’s next run.',
  request: { body: jsonBody(smsBudgetInputSchema) },
  responses: { 200: jsonResponse(budgetViewSchema, 'The budget as it now stands') },
});

export function smsBudgetRoutes() {
  return newRouter()
    .openapi(getBudgetRoute, async (c) => {
      const { store, config, clock } = c.var.deps;
      return c.json(await readBudget({ store, config, now: clock() }, c.var.caller.county), 200);
    })
    .openapi(putBudgetRoute, async (c) => {
      const { store, config, clock } = c.var.deps;
      return c.json(await setBudget({ store, config, now: clock() }, c.var.caller, c.req.valid('json')), 200);
    });
}
