/**
 * @module domain/activity
 * A publicity activity as staff record it: when and where, the theme, the kind (the report's
 * channels: 集中宣传活动, 咨询服务, 手机短信 …), how many took part, the materials handed out by kind,
 * and the county departments responsible for it (谁执法谁普法), if any.
 */
import { z } from 'zod';
import { departmentIdsSchema, idSchema, uniqueIdsSchema } from './access.js';
import { evidenceSchema, MAX_EVIDENCE_PER_ACTIVITY } from './evidence.js';
import { localDateSchema } from './schedule.js';
import { visibleText } from './text.js';

export const activityKinds = ['event', 'consultation', 'sms', 'wechat', 'broadcast', 'banner', 'bulletin', 'led', 'other'] as const;
export type ActivityKind = (typeof activityKinds)[number];

export const activityKindLabels: Record<ActivityKind, string> = {
  event: '集中宣传活动',
  consultation: '咨询服务',
  sms: '手机短信',
  wechat: '微信公众号推送',
  broadcast: '村村通普法广播',
  banner: '标语',
  bulletin: '宣传栏',
  led: 'LED滚动宣传',
  other: '其他',
};

export interface ActivityLimits {
  /** How far past today a date may be (a record is of something held, not planned). */
  futureDays: number;
  /** Sanity ceiling for one activity's materials of one kind and for its participants. */
  maxCount: number;
}

export const defaultActivityLimits: ActivityLimits = { futureDays: 1, maxCount: 100_000 };

export const activityInputSchema = z
  .object({
    id: idSchema.optional().describe('give one to make a retried create safe'),
    date: localDateSchema,
    township: idSchema,
    village: idSchema.optional(),
    theme: idSchema,
    kind: z.enum(activityKinds),
    kindName: visibleText(40).optional().describe('what the kind is, when kind is other'),
    title: visibleText(100, { min: 0 }).optional(),
    participants: z.number().int().min(0, 'must not be negative').default(0),
    materials: z
      .array(z.object({ kind: visibleText(20).describe('e.g. 宣传单, 宣传手册'), count: z.number().int().min(0, 'must not be negative') }))
      .max(20)
      .default([]),
    departments: departmentIdsSchema
      .optional()
      .describe('the county departments responsible (谁执法谁普法), registry ids'),
    placements: uniqueIdsSchema(20)
      .optional()
      .describe('for 标语, 宣传栏 and LED activities: where they were shown, registry placement ids of the activity’s kind and township'),
    campaignId: idSchema.optional(),
    notes: visibleText(2000, { min: 0 }).optional(),
  })
  .refine((activity) => activity.kind !== 'other' || activity.kindName !== undefined, { message: 'name the kind when it is other', path: ['kindName'] });
export type ActivityInput = z.infer<typeof activityInputSchema>;

export const activityRecordSchema = z.object({
  id: z.string(),
  county: z.string(),
  year: z.number().int(),
  month: z.number().int(),
  date: z.string(),
  township: z.string(),
  village: z.string().optional(),
  theme: z.string(),
  kind: z.enum(activityKinds),
  kindName: z.string().optional(),
  title: z.string().optional(),
  participants: z.number().int(),
  materials: z.array(z.object({ kind: z.string(), count: z.number().int() })),
  departments: z.array(z.string()).optional(),
  placements: z.array(z.string()).optional(),
  campaignId: z.string().optional(),
  notes: z.string().optional(),
  /** Photos and sign-in sheets (台账), added and removed through the evidence routes (evidence/workflow), never by a PUT. */
  evidence: z.array(evidenceSchema).max(MAX_EVIDENCE_PER_ACTIVITY).optional(),
  version: z.number().int(),
  createdBy: z.object({ tokenId: z.string(), name: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ActivityRecord = z.infer<typeof activityRecordSchema>;

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** The checks a schema cannot make alone: the calendar, the sanity limits. */
export function checkActivity(input: ActivityInput, today: string, limits: ActivityLimits): Problem[] {
  const problems: Problem[] = [];
  const latest = new Date(Date.parse(`${today}T00:00:00Z`) + limits.futureDays * 86_400_000).toISOString().slice(0, 10);
  if (input.date > latest) problems.push({ path: ['date'], message: `${input.date} is in the future (records may be at most ${limits.futureDays} day(s) ahead)` });
  if (input.participants > limits.maxCount) problems.push({ path: ['participants'], message: `more than ${limits.maxCount}: check the figure` });
  input.materials.forEach((material, index) => {
    if (material.count > limits.maxCount) problems.push({ path: ['materials', index, 'count'], message: `more than ${limits.maxCount}: check the figure` });
  });
  return problems;
}
