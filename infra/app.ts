/**
 * @module infra/app
 * The CDK app: reads context (county, time zone, alarm e-mail and thresholds, SMS settings, TTS region, WeChat), validates it with zod,
 * builds the one stack and runs cdk-nag's AwsSolutions checks on it (an unacknowledged finding
 * fails the synth). `npx cdk synth` needs no AWS account.
 */
import { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { REGION_NAME } from '../functions/notify/sms-regions.js';
import { addAwsSolutionsChecks } from './checks.js';
import { PufaStack } from './stack.js';

const contextSchema = z.object({
  county: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and "-"'),
  timeZone: z.string().min(1),
  alarmEmail: z.email().optional(),
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/).default('Pufa'),
  smsType: z.enum(['Transactional', 'Promotional']).optional(),
  smsSenderId: z.string().regex(/^[A-Za-z0-9]{1,11}$/).optional(),
  smsPerSecond: z.coerce.number().int().min(1).max(1000).optional(),
  /** Region SMS is published in when the stack's cannot send SMS (AWS China): see infra/sms-account.ts. */
  smsRegion: z.string().regex(REGION_NAME, 'an AWS region such as ap-southeast-1').optional(),
  /** Region Amazon Polly is called in (infra/speech.ts): by default the stack's, Ningxia (cn-northwest-1) for a stack in AWS China; a region without Polly fails the synth. */
  ttsRegion: z.string().regex(REGION_NAME, 'an AWS region such as cn-northwest-1').optional(),
  /** The account's monthly SMS spend limit in that region, whole USD (SNS SetSMSAttributes MonthlySpendLimit). */
  smsMonthlySpendLimitUsd: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** A county's default monthly SMS budget in yuan, and the yuan-per-dollar rate (PUFA_SMS_MONTHLY_BUDGET_YUAN, PUFA_YUAN_PER_USD). */
  smsMonthlyBudgetYuan: z.coerce.number().min(0).max(10_000_000).optional(),
  yuanPerUsd: z.coerce.number().min(1).max(20).optional(),
  smsOriginationNumber: z.string().regex(/^\+\d{6,15}$/, 'an E.164 number such as +12065550100').optional(),
  /** Reserved concurrency of the dispatch function: a whole number, or "none" (see PufaStackProps). */
  dispatchReservedConcurrency: z.union([z.literal('none'), z.coerce.number().int().min(1).max(10)]).optional(),
  /** Browser origins allowed to call the API cross-site, comma-separated (see PUFA_CORS_ORIGINS). */
  /** Alarm when the month's SMS spend reaches this share of smsMonthlySpendLimitUsd (infra/sms-spend.ts; default 0.8). */
  smsSpendAlarmShare: z.coerce.number().gt(0).max(1).optional(),
  /** Alarm when fewer than this share of an hour's SMS receipts say delivered (infra/receipts.ts; default 0.9)... */
  deliveryRateAlarmThreshold: z.coerce.number().gt(0).lt(1).optional(),
  /** ...in an hour with at least this many receipts (default 20). */
  deliveryRateAlarmMinimumSms: z.coerce.number().int().min(1).max(1_000_000).optional(),
  corsOrigins: z.string().regex(/^(https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)(,\s*https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)*$/, 'origins such as https://pufa.example.gov.cn, comma-separated').optional(),
  /** The WeChat official-account channel (infra/wechat.ts): true or "on" (cdk.json or -c wechat=on); off by default. */
  wechat: z
    .union([z.boolean(), z.enum(['true', 'on', 'false', 'off'], 'true, on, false or off')])
    .optional()
    .transform((value) => value === true || value === 'true' || value === 'on'),
  /** "nat": the API and dispatch functions reach WeChat from one fixed address (infra/wechat-egress.ts); needs wechat on. */
  wechatEgress: z.enum(['default', 'nat'], 'default or nat').optional(),
}).superRefine((context, problems) => {
  if (context.wechatEgress === 'nat' && !context.wechat) {
    problems.addIssue({ code: 'custom', path: ['wechatEgress'], message: 'nat gives WeChat calls a fixed address, but the WeChat channel is off: set wechat=on too' });
  }
});

const app = new App();
addAwsSolutionsChecks(app);
const read = (key: string): unknown => app.node.tryGetContext(key);
const parsed = contextSchema.safeParse({
  county: read('county'),
  timeZone: read('timeZone'),
  alarmEmail: read('alarmEmail'),
  stackName: read('stackName'),
  smsType: read('smsType'),
  smsSenderId: read('smsSenderId'),
  smsPerSecond: read('smsPerSecond'),
  smsRegion: read('smsRegion'),
  ttsRegion: read('ttsRegion'),
  smsMonthlySpendLimitUsd: read('smsMonthlySpendLimitUsd'),
  smsOriginationNumber: read('smsOriginationNumber'),
  smsMonthlyBudgetYuan: read('smsMonthlyBudgetYuan'),
  yuanPerUsd: read('yuanPerUsd'),
  corsOrigins: read('corsOrigins'),
  dispatchReservedConcurrency: read('dispatchReservedConcurrency'),
  smsSpendAlarmShare: read('smsSpendAlarmShare'),
  deliveryRateAlarmThreshold: read('deliveryRateAlarmThreshold'),
  deliveryRateAlarmMinimumSms: read('deliveryRateAlarmMinimumSms'),
  wechat: read('wechat'),
  wechatEgress: read('wechatEgress'),
});
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `context "${issue.path.join('.')}": ${issue.message}`);
  throw new Error(`Invalid CDK context (set it in cdk.json or with -c key=value):\n  ${problems.join('\n  ')}`);
}

const {
  stackName,
  smsType,
  smsSenderId,
  smsPerSecond,
  smsRegion,
  ttsRegion,
  smsMonthlySpendLimitUsd,
  smsOriginationNumber,
  smsMonthlyBudgetYuan,
  yuanPerUsd,
  smsSpendAlarmShare,
  deliveryRateAlarmThreshold,
  deliveryRateAlarmMinimumSms,
  wechat,
  wechatEgress,
  ...props
} = parsed.data;
new PufaStack(app, stackName, {
  ...props,
  alarms: { smsSpendShare: smsSpendAlarmShare, deliveryRateThreshold: deliveryRateAlarmThreshold, deliveryRateMinimumSms: deliveryRateAlarmMinimumSms },
  sms: {
    region: smsRegion,
    monthlySpendLimitUsd: smsMonthlySpendLimitUsd,
    type: smsType,
    senderId: smsSenderId,
    originationNumber: smsOriginationNumber,
    perSecond: smsPerSecond,
    monthlyBudgetYuan: smsMonthlyBudgetYuan,
    yuanPerUsd,
  },
  speech: { ttsRegion },
  wechat: wechat ? { egress: wechatEgress } : undefined,
  // Account and region come from the deploying credentials; synth works without any.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
