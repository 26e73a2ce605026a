/**
 * @module pages
 * The web pages, mounted at /app on the same Hono app as the API. Every form POST is checked for a
 * same-origin request (hono/csrf), on top of the SameSite=Strict session cookie.
 */
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { AppEnv } from '../http/env.js';
import { activityPages } from './activities.js';
import { authPages } from './auth.js';
import { campaignPages } from './campaign.js';
import { dashboardPages } from './dashboard.js';
import { outboxPages } from './outbox.js';
import { planPages } from './plan.js';
import { reviewPages } from './review.js';
import { stationPages } from './station.js';

export function webPages() {
  const pages = new Hono<AppEnv>();
  pages.use(csrf());
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
