/**
 * @module store/domain-modules
 * The domain modules whose zod schemas the store parses its records with, imported on first use.
 * zod builds a schema when its module runs, so importing them with the store would build every
 * record schema — and load luxon, rrule and libphonenumber-js, which the domain needs — during
 * every Lambda cold start, before a request that reads one or two kinds of record (bench/RESULTS.md,
 * cold start). The store reads types with `import type` (free at run time) and values through
 * these; a module is imported once per process, and a failed import is tried again by the next call.
 * `test/integration/lambda-handlers.test.ts` checks that the API's startup code holds none of them.
 */
import { onFirstUse } from '../on-first-use.js';

export const activityModule = onFirstUse(() => import('../domain/activity.js'));
export const auditModule = onFirstUse(() => import('../domain/audit.js'));
export const deliveryModule = onFirstUse(() => import('../domain/delivery.js'));
export const feedModule = onFirstUse(() => import('../domain/feed.js'));
export const planModule = onFirstUse(() => import('../domain/plan.js'));
export const planningModule = onFirstUse(() => import('../domain/planning.js'));
export const receiptModule = onFirstUse(() => import('../domain/receipt.js'));
export const registryModule = onFirstUse(() => import('../domain/registry.js'));
export const smsBudgetModule = onFirstUse(() => import('../domain/sms-budget.js'));
export const stationPushModule = onFirstUse(() => import('../domain/station-push.js'));
export const subscriberModule = onFirstUse(() => import('../domain/subscriber.js'));
