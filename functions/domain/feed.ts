/**
 * @module domain/feed
 * Calendar feed secrets: what a phone's calendar app puts in the URL of the year's iCalendar
 * feed (`GET /plans/{year}/calendar.ics?key=…`). Calendar apps keep and sync the URL, so it must
 * never carry an API token: a feed secret reads that one feed and nothing else, an admin creates
 * and revokes it (audited), and only its SHA-256 is stored, as tokens' are.
 */
import { z } from 'zod';
import { hashTokenSecret, randomSecret } from './access.js';
import { visibleText } from './text.js';

const FEED_PREFIX = 'pufa_feed_';

export const feedKeySchema = z
  .string()
  .regex(/^pufa_feed_[A-Za-z0-9_-]{20,100}$/, 'must be a calendar feed key (pufa_feed_…), never an API token');

export const feedInputSchema = z.object({
  label: visibleText(60).describe('who the feed is for, e.g. 城厢镇司法所手机日历'),
});
export type FeedInput = z.infer<typeof feedInputSchema>;

export const feedRecordSchema = z.object({
  id: z.string(),
  county: z.string(),
  label: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().optional(),
});
export type FeedRecord = z.infer<typeof feedRecordSchema>;

export const newFeedSecret = (): string => randomSecret(FEED_PREFIX);
export const hashFeedSecret = (secret: string): Promise<string> => hashTokenSecret(secret);
