/**
 * @module pages
 * The web pages, mounted at /app on the same Hono app as the API. Every unsafe request is checked
 * for a same-origin request (./same-origin), on top of the SameSite=Strict session cookie; the
 * session cookie is honoured here only, never by the API.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
import { activityPages } from './activities.js';
import { authPages } from './auth.js';
import { campaignPages } from './campaign.js';
import { dashboardPages } from './dashboard.js';
import { outboxPages } from './outbox.js';
import { planPages } from './plan.js';
import { reviewPages } from './review.js';
import { sameOriginOnly } from './same-origin.js';
import { stationPages } from './station.js';

export function webPages() {
  const pages = new Hono<AppEnv>();
  pages.use(sameOriginOnly());
  pages.route('/', authPages());
  pages.route('/', stationPages());
  pages.route('/', reviewPages());
  pages.route('/', dashboardPages());
  pages.route('/', planPages());
  pages.route('/', activityPages());
  pages.route('/', campaignPages());
  pages.route('/', outboxPages());
  return pages;
}
