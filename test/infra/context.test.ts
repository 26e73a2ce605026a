/**
 * @module test/infra/context
 * The CDK app (infra/app.ts) as the CLI runs it — a process given its context in CDK_CONTEXT_JSON
 * (what `-c key=value` becomes: strings) and an output folder — for the alarm settings: each
 * context key reaches its alarm, and a bad value stops the synth naming the key. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`): the functions' code is not under test here.
 *
 * A synth costs seconds (most of it loading aws-cdk-lib and building the stack), so the tests share
 * a few: the keys under test here are independent of each other (each reaches its own alarm or
 * environment variable, and each test looks only at its own), so one synth carries all the settings
 * that are given, one carries a bad value of every key the context schema checks (the app names
 * every bad key at once), and only what the stack itself refuses, or a combination the schema
 * refuses, gets a synth of its own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SLOW_TEST_MS, STALL_GUARD_MS } from '../support/timeouts.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Synth = { resources?: Resources; failure?: string };

/** Runs infra/app.ts with `context` (values as strings, as the CLI passes them); the template, or the failure's output. */
async function synthOnce(context: Record<string, string>): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'pufa-context-'));
  dirs.push(outdir);
  // No account or region, as a synth without credentials: the stack is environment-agnostic.
  const { CDK_DEFAULT_ACCOUNT: _account, CDK_DEFAULT_REGION: _region, ...inherited } = process.env;
  const env = {
    ...inherited,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ county: 'tianquan', timeZone: 'Asia/Shanghai', 'aws:cdk:bundling-stacks': [], ...context }),
  };
  try {
    await run(process.execPath, ['--import', 'tsx', 'infra/app.ts'], { env, timeout: STALL_GUARD_MS });
  } catch (error) {
    return { failure: String((error as { stderr?: string }).stderr ?? error) };
  }
  const template = JSON.parse(readFileSync(join(outdir, 'Pufa.template.json'), 'utf8')) as { Resources: Resources };
  return { resources: template.Resources };
}

const synths = new Map<string, Promise<Synth>>();
/** The synth with `context`, run once for every test that asks for the same context. */
function synthWith(context: Record<string, string>): Promise<Synth> {
  const key = JSON.stringify(context);
  let synth = synths.get(key);
  if (!synth) synths.set(key, (synth = synthOnce(context)));
  return synth;
}

/** Every setting given, each to a good value (the wechat channel explicitly off). */
const GIVEN = {
  alarmEmail: 'ops@example.gov.cn',
  smsMonthlySpendLimitUsd: '50',
  smsSpendAlarmShare: '0.5',
  deliveryRateAlarmThreshold: '0.8',
  deliveryRateAlarmMinimumSms: '30',
  smsMonthlyBudgetYuan: '800',
  yuanPerUsd: '7.1',
  ttsRegion: 'ap-southeast-1',
  wechat: 'off',
};
/** Nothing given but the channel (none of the SMS, alarm or TTS settings). */
const WECHAT_ONLY = { wechat: 'true' };
/** A value the context schema refuses for each of these keys. */
const BAD = {
  deliveryRateAlarmThreshold: '90',
  smsSpendAlarmShare: '1.5',
  smsMonthlyBudgetYuan: '-5',
  yuanPerUsd: '0.14',
  ttsRegion: 'ningxia',
  wechat: 'yes',
  wechatEgress: 'proxy',
};

const alarmsIn = (resources: Resources) => Object.values(resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties);

describe('the CDK context for alarms', () => {
  it('subscribes the alarm e-mail and sets the spend share and the delivery-rate threshold and minimum', async () => {
    const { resources, failure } = await synthWith(GIVEN);
    expect(failure).toBeUndefined();
    const all = resources ?? {};
    expect(Object.values(all).filter((resource) => resource.Type === 'AWS::SNS::Subscription').map((subscription) => subscription.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'ops@example.gov.cn' }),
    ]);
    expect(alarmsIn(all).find((alarm) => alarm.MetricName === 'SMSMonthToDateSpentUSD')).toMatchObject({ Threshold: 25 });
    const rate = alarmsIn(all).find((alarm) => JSON.stringify(alarm.Metrics ?? []).includes('SmsDelivered'));
    expect(rate).toMatchObject({ Threshold: 0.8 });
    expect(JSON.stringify(rate?.Metrics)).toContain('>= 30,');
  }, SLOW_TEST_MS);

  it('refuses a threshold that is not a share, or a share above 1, naming the key', async () => {
    const { failure } = await synthWith(BAD);
    expect(failure).toMatch(/Invalid CDK context/);
    expect(failure).toMatch(/context "deliveryRateAlarmThreshold"/);
    expect(failure).toMatch(/context "smsSpendAlarmShare"/);
  }, SLOW_TEST_MS);
});

describe('the CDK context for the SMS budget', () => {
  const variablesOf = (resources: Resources, idPrefix: string) => {
    const [fn] = Object.entries(resources).filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(idPrefix));
    return (fn?.[1].Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  };

  it("gives the API and the dispatcher a county's default monthly budget and the yuan-per-dollar rate", async () => {
    const { resources, failure } = await synthWith(GIVEN);
    expect(failure).toBeUndefined();
    for (const prefix of ['ApiFunction', 'DispatchFunction']) {
      expect(variablesOf(resources ?? {}, prefix)).toMatchObject({ PUFA_SMS_MONTHLY_BUDGET_YUAN: '800', PUFA_YUAN_PER_USD: '7.1' });
    }
  }, SLOW_TEST_MS);

  it('sets neither when not given (no default budget; the functions use 7.2 yuan to the dollar)', async () => {
    const { resources } = await synthWith(WECHAT_ONLY);
    expect(variablesOf(resources ?? {}, 'DispatchFunction')).not.toHaveProperty('PUFA_SMS_MONTHLY_BUDGET_YUAN');
    expect(variablesOf(resources ?? {}, 'DispatchFunction')).not.toHaveProperty('PUFA_YUAN_PER_USD');
  }, SLOW_TEST_MS);

  it('refuses a negative budget and a rate that cannot be yuan per dollar, naming the key', async () => {
    const { failure } = await synthWith(BAD);
    expect(failure).toMatch(/context "smsMonthlyBudgetYuan"/);
    expect(failure).toMatch(/context "yuanPerUsd"/);
  }, SLOW_TEST_MS);
});

describe('the CDK context for the TTS region', () => {
  const apiVariables = (resources: Resources) => {
    const [fn] = Object.entries(resources).filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('ApiFunction'));
    return (fn?.[1].Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  };

  it('gives the API the Polly region it names', async () => {
    const { resources, failure } = await synthWith(GIVEN);
    expect(failure).toBeUndefined();
    expect(apiVariables(resources ?? {})).toMatchObject({ PUFA_TTS_REGION: 'ap-southeast-1' });
  }, SLOW_TEST_MS);

  it('refuses what is not a region name, naming the key', async () => {
    const { failure } = await synthWith(BAD);
    expect(failure).toMatch(/Invalid CDK context/);
    expect(failure).toMatch(/context "ttsRegion"/);
  }, SLOW_TEST_MS);

  it('refuses a region where Polly is not offered (Beijing), naming the key and Ningxia', async () => {
    const { failure } = await synthWith({ ttsRegion: 'cn-north-1' });
    expect(failure).toMatch(/Invalid CDK context "ttsRegion": Amazon Polly is not offered in cn-north-1/);
    expect(failure).toMatch(/only in cn-northwest-1/);
  }, SLOW_TEST_MS);
});

describe('the CDK context for WeChat', () => {
  const variablesOf = (resources: Resources, idPrefix: string) => {
    const [fn] = Object.entries(resources).filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(idPrefix));
    return (fn?.[1].Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  };
  const countOf = (resources: Resources, type: string) => Object.values(resources).filter((resource) => resource.Type === type).length;

  it('builds the channel with wechat=on, and the NAT egress with wechatEgress=nat', async () => {
    const { resources, failure } = await synthWith({ wechat: 'on', wechatEgress: 'nat' });
    expect(failure).toBeUndefined();
    const all = resources ?? {};
    expect(variablesOf(all, 'DispatchFunction')).toHaveProperty('PUFA_WECHAT_SECRET_ARN');
    expect(countOf(all, 'AWS::EC2::NatGateway')).toBe(1);
  }, SLOW_TEST_MS);

  it('takes wechat=true as on, without a VPC unless asked; wechat=off builds nothing', async () => {
    const { resources } = await synthWith(WECHAT_ONLY);
    expect(variablesOf(resources ?? {}, 'ApiFunction')).toHaveProperty('PUFA_WECHAT_SECRET_ARN');
    expect(countOf(resources ?? {}, 'AWS::EC2::VPC')).toBe(0);
    const { resources: off } = await synthWith(GIVEN);
    expect(variablesOf(off ?? {}, 'ApiFunction')).not.toHaveProperty('PUFA_WECHAT_SECRET_ARN');
  }, SLOW_TEST_MS);

  it('refuses wechatEgress=nat with the channel off, and a value it does not know, naming the key', async () => {
    const { failure } = await synthWith({ wechatEgress: 'nat' });
    expect(failure).toMatch(/context "wechatEgress": .*set wechat=on/);
    const { failure: unknown } = await synthWith(BAD);
    expect(unknown).toMatch(/context "wechat"/);
    expect(unknown).toMatch(/context "wechatEgress"/);
  }, SLOW_TEST_MS);
});
