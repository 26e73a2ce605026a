/**
 * @module config
 * Runtime configuration, read from the environment once per process and validated with zod.
 * This is the only module that looks at `process.env`; everything else receives a `Config`.
 */
import { z } from 'zod';
import { isKnownTimeZone } from './domain/time-zone.js';
import { REGION_NAME, smsRegionProblem } from './notify/sms-regions.js';

const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;

/** An env var that must look like an identifier used inside table keys (no `#`). */
const keySafe = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and "-", 2-40 characters');

const optionalUrl = z.url().optional();

/** Exact origins (scheme, host, port; no path) that browsers may call the API from, comma-separated. */
const originList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
  .pipe(z.array(z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'origins such as https://pufa.example.gov.cn, comma-separated, no path')));

/** The county's time zone when the deployment sets none (DESIGN.md: plans are written in local time). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export const configSchema = z.object({
  PUFA_TABLE_NAME: z.string().min(3, 'at least 3 characters').max(255),
  PUFA_COUNTY: keySafe.default('tianquan'),
  PUFA_TIME_ZONE: z
    .string()
    .default(DEFAULT_TIME_ZONE)
    .refine((zone) => isKnownTimeZone(zone), 'not an IANA time zone such as Asia/Shanghai'),
  PUFA_STATION_TOPIC_ARN: z.string().min(1).optional(),
  PUFA_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(6 * 1024 * 1024).default(DEFAULT_BODY_LIMIT_BYTES),
  PUFA_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Set only locally and in tests: where DynamoDB Local listens. */
  PUFA_DYNAMODB_ENDPOINT: optionalUrl,
  /** Set only locally and in tests: where the local SNS sink listens. */
  PUFA_SNS_ENDPOINT: optionalUrl,
  AWS_REGION: z.string().min(1).default('cn-north-1'),
  /** Where SMS is published (SNS SMS is not offered in AWS China); the station topic stays in AWS_REGION. */
  PUFA_SMS_REGION: z.string().regex(REGION_NAME, 'an AWS region such as ap-southeast-1').optional(),
  PUFA_SMS_TYPE: z.enum(['Transactional', 'Promotional']).default('Transactional'),
  PUFA_SMS_SENDER_ID: z.string().regex(/^[A-Za-z0-9]{1,11}$/, '1-11 letters or digits').optional(),
  PUFA_SMS_ORIGINATION_NUMBER: z.string().regex(/^\+\d{6,15}$/, 'an E.164 number').optional(),
  PUFA_SMS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(20),
  /** The monthly SMS budget (yuan) of a county that has set none of its own (PUT /sms-budget); unset: no limit. */
  PUFA_SMS_MONTHLY_BUDGET_YUAN: z.coerce.number().min(0).max(10_000_000).optional(),
  /** Yuan per US dollar: budgets are set in yuan, SNS charges in dollars. */
  PUFA_YUAN_PER_USD: z.coerce.number().min(1).max(20).default(7.2),
  /** Auto-pause a notice once this many of its sends failed or came back undelivered (0: never)… */
  PUFA_AUTO_PAUSE_FAILURES: z.coerce.number().int().min(0).max(1_000_000).default(25),
  /** …and they are at least this share of its ended sends, in percent… */
  PUFA_AUTO_PAUSE_FAILURE_PERCENT: z.coerce.number().min(1).max(100).default(20),
  /** …once at least this many of its sends ended (sent or failed). */
  PUFA_AUTO_PAUSE_MIN_ATTEMPTS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  PUFA_LATE_WINDOW_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(180),
  PUFA_ACTIVITY_FUTURE_DAYS: z.coerce.number().int().min(0).max(366).default(1),
  PUFA_ACTIVITY_MAX_COUNT: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  PUFA_CORS_ORIGINS: originList,
  /** The secret phone numbers are keyed with (locally: generated into the data folder). */
  PUFA_PHONE_KEY_SECRET: z.string().min(43, 'at least 43 characters (256 random bits, base64)').max(1024).optional(),
  /** On AWS: the Secrets Manager secret holding it, read once at cold start. */
  PUFA_PHONE_KEY_SECRET_ARN: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN').optional(),
  /** On AWS: the bucket notices' MP3s are kept in (infra/speech.ts); set, speech is Polly + S3, unset, espeak-ng + the data folder. */
  PUFA_AUDIO_BUCKET: z
    .string()
    .regex(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"')
    .optional(),
  /** On AWS: the Secrets Manager secret holding the WeChat account's AppID, AppSecret and callback Token (JSON); unset: no WeChat channel. */
  PUFA_WECHAT_SECRET_ARN: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN').optional(),
  /** WeChat's API (default https://api.weixin.qq.com); locally the stand-in. */
  PUFA_WECHAT_API: optionalUrl,
  /** The account has API 群发保护 on: a send to all followers waits for an administrator's confirmation in WeChat. */
  PUFA_WECHAT_MASS_SEND_PROTECTION: z.enum(['true', 'false']).default('false'),
  /** Where Amazon Polly is called (it is not offered everywhere; in AWS China only cn-northwest-1); default: AWS_REGION. */
  PUFA_TTS_REGION: z.string().regex(REGION_NAME, 'an AWS region such as cn-northwest-1').optional(),
});

export type ConfigInput = z.input<typeof configSchema>;

export interface Config {
  tableName: string;
  /**
   * The deployment's home county (PUFA_COUNTY): the local server's demo county, the WeChat
   * account's. Inside a request it is the caller's county (http/county-scope), never this.
   */
  county: string;
  timeZone: string;
  /** The caller's county's name and SMS signature, from its record (http/county-scope); never from the environment. */
  countyName?: string | undefined;
  smsSignature?: string | undefined;
  stationTopicArn: string | undefined;
  bodyLimitBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  region: string;
  dynamoDbEndpoint: string | undefined;
  snsEndpoint: string | undefined;
  sms: {
    /** The region SMS is published in: PUFA_SMS_REGION, else AWS_REGION. */
    region: string;
    type: 'Transactional' | 'Promotional';
    senderId: string | undefined;
    originationNumber: string | undefined;
    perSecond: number;
    /** The deployment's monthly budget in yuan for counties that set none; undefined: no limit. */
    monthlyBudgetYuan: number | undefined;
    yuanPerUsd: number;
  };
  /** When the dispatcher pauses a notice whose sends keep failing (domain/failure-guard). */
  autoPause: { failures: number; percent: number; minAttempts: number };
  lateWindowMinutes: number;
  activityLimits: { futureDays: number; maxCount: number };
  /** Browser origins allowed to call the API cross-site; none by default. */
  corsOrigins: string[];
  /** Text-to-speech (functions/speech/from-config.ts): the audio bucket, if any, and Polly's region. */
  speech: {
    audioBucket: string | undefined;
    /** PUFA_TTS_REGION, else AWS_REGION. */
    ttsRegion: string;
  };
  /** The WeChat official account: where its secrets are (AWS), its API, whether 群发保护 is on. */
  wechat: { secretArn: string | undefined; apiBase: string | undefined; massSendProtection: boolean };
  /** Where the phone-key secret comes from; none: the process must be handed one (local start, tests). */
  phoneKeySecret: { value: string } | { arn: string } | undefined;
  version: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration: ' +
        problems.map((problem) => `${problem.variable}: ${problem.message}`).join('; '),
    );
  }
}

/**
 * Validates an environment (normally `process.env`) and returns the typed config.
 * Throws `ConfigError` naming every missing or malformed variable.
 */
export function loadConfig(env: Record<string, string | undefined>, version = 'dev'): Config {
  // Parsed once per process: jitless skips zod's generated fast path for this one object (the
  // code it writes and compiles costs more than the one parse it speeds up; same result).
  const parsed = configSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
      })),
    );
  }
  const values = parsed.data;
  const smsRegion = values.PUFA_SMS_REGION ?? values.AWS_REGION;
  // A local or test process (DynamoDB Local, the SNS sink) never publishes to Amazon SNS, so
  // where SMS would go there does not matter; anywhere else a region without SNS SMS (or out of
  // reach of the process's credentials) would leave every SMS failed, so it stops the start.
  const local = values.PUFA_DYNAMODB_ENDPOINT !== undefined || values.PUFA_SNS_ENDPOINT !== undefined;
  const smsProblem = local ? undefined : smsRegionProblem(smsRegion, values.AWS_REGION, 'Set PUFA_SMS_REGION (CDK context smsRegion)');
  if (smsProblem) throw new ConfigError([{ variable: 'PUFA_SMS_REGION', message: smsProblem }]);
  return {
    tableName: values.PUFA_TABLE_NAME,
    county: values.PUFA_COUNTY,
    timeZone: values.PUFA_TIME_ZONE,
    stationTopicArn: values.PUFA_STATION_TOPIC_ARN,
    bodyLimitBytes: values.PUFA_BODY_LIMIT_BYTES,
    logLevel: values.PUFA_LOG_LEVEL,
    region: values.AWS_REGION,
    dynamoDbEndpoint: values.PUFA_DYNAMODB_ENDPOINT,
    snsEndpoint: values.PUFA_SNS_ENDPOINT,
    sms: {
      region: smsRegion,
      type: values.PUFA_SMS_TYPE,
      senderId: values.PUFA_SMS_SENDER_ID,
      originationNumber: values.PUFA_SMS_ORIGINATION_NUMBER,
      perSecond: values.PUFA_SMS_PER_SECOND,
      monthlyBudgetYuan: values.PUFA_SMS_MONTHLY_BUDGET_YUAN,
      yuanPerUsd: values.PUFA_YUAN_PER_USD,
    },
    autoPause: { failures: values.PUFA_AUTO_PAUSE_FAILURES, percent: values.PUFA_AUTO_PAUSE_FAILURE_PERCENT, minAttempts: values.PUFA_AUTO_PAUSE_MIN_ATTEMPTS },
    lateWindowMinutes: values.PUFA_LATE_WINDOW_MINUTES,
    activityLimits: { futureDays: values.PUFA_ACTIVITY_FUTURE_DAYS, maxCount: values.PUFA_ACTIVITY_MAX_COUNT },
    corsOrigins: values.PUFA_CORS_ORIGINS,
    wechat: { secretArn: values.PUFA_WECHAT_SECRET_ARN, apiBase: values.PUFA_WECHAT_API, massSendProtection: values.PUFA_WECHAT_MASS_SEND_PROTECTION === 'true' },
    speech: { audioBucket: values.PUFA_AUDIO_BUCKET, ttsRegion: values.PUFA_TTS_REGION ?? values.AWS_REGION },
    phoneKeySecret: values.PUFA_PHONE_KEY_SECRET
      ? { value: values.PUFA_PHONE_KEY_SECRET }
      : values.PUFA_PHONE_KEY_SECRET_ARN
        ? { arn: values.PUFA_PHONE_KEY_SECRET_ARN }
        : undefined,
    version,
  };
}

/** The county's time zone for tools that run without the full config (the plan checker). */
export function configuredTimeZone(env: Record<string, string | undefined> = process.env): string {
  const parsed = configSchema.shape.PUFA_TIME_ZONE.safeParse(env.PUFA_TIME_ZONE);
  if (!parsed.success) throw new ConfigError([{ variable: 'PUFA_TIME_ZONE', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
}
