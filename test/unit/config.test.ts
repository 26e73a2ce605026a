import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';

/** A deployment in a region that sends SMS: the least a process on AWS is started with. */
const minimal = { PUFA_TABLE_NAME: 'pufa-test', AWS_REGION: 'ap-southeast-1' };

describe('loadConfig', () => {
  it('fills defaults for everything but the table name (and, on AWS, the region)', () => {
    const config = loadConfig(minimal, '1.2.3');
    expect(config).toMatchObject({
      tableName: 'pufa-test',
      county: 'tianquan',
      timeZone: 'Asia/Shanghai',
      bodyLimitBytes: 256 * 1024,
      logLevel: 'info',
      version: '1.2.3',
      dynamoDbEndpoint: undefined,
    });
  });

  it('has no SMS budget unless one is set, converts at 7.2 yuan a dollar, and auto-pauses at 25 failures and 20% after 50 sends', () => {
    const config = loadConfig(minimal);
    expect(config.sms).toMatchObject({ monthlyBudgetYuan: undefined, yuanPerUsd: 7.2 });
    expect(config.autoPause).toEqual({ failures: 25, percent: 20, minAttempts: 50 });
    const set = loadConfig({ ...minimal, PUFA_SMS_MONTHLY_BUDGET_YUAN: '500', PUFA_YUAN_PER_USD: '7.1', PUFA_AUTO_PAUSE_FAILURES: '0' });
    expect(set.sms).toMatchObject({ monthlyBudgetYuan: 500, yuanPerUsd: 7.1 });
    expect(set.autoPause.failures).toBe(0);
  });

  it('refuses a budget or rate that is not a sane number, naming it', () => {
    expect(() => loadConfig({ ...minimal, PUFA_SMS_MONTHLY_BUDGET_YUAN: '-5' })).toThrowError(/PUFA_SMS_MONTHLY_BUDGET_YUAN/);
    expect(() => loadConfig({ ...minimal, PUFA_YUAN_PER_USD: 'cheap' })).toThrowError(/PUFA_YUAN_PER_USD/);
    expect(() => loadConfig({ ...minimal, PUFA_AUTO_PAUSE_FAILURE_PERCENT: '0' })).toThrowError(/PUFA_AUTO_PAUSE_FAILURE_PERCENT/);
  });

  it('names a missing variable', () => {
    expect(() => loadConfig({})).toThrowError(/PUFA_TABLE_NAME: is required/);
  });

  it('names every bad variable at once, with why', () => {
    try {
      loadConfig({ ...minimal, PUFA_TIME_ZONE: 'Mars/Olympus', PUFA_BODY_LIMIT_BYTES: 'lots', PUFA_COUNTY: 'Tian Quan' });
      expect.unreachable('loadConfig should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((problem) => problem.variable).sort();
      expect(variables).toEqual(['PUFA_BODY_LIMIT_BYTES', 'PUFA_COUNTY', 'PUFA_TIME_ZONE']);
      expect((error as ConfigError).message).toContain('not an IANA time zone');
    }
  });

  it('takes every zone Intl takes: canonical names, and aliases and spellings outside the canonical list', () => {
    for (const zone of ['Asia/Shanghai', 'Asia/Urumqi', 'UTC', 'Etc/GMT-8', 'Asia/Chongqing', 'PRC', 'asia/shanghai']) {
      expect(loadConfig({ ...minimal, PUFA_TIME_ZONE: zone }).timeZone).toBe(zone);
    }
    for (const zone of ['Mars/Olympus', 'Asia', '']) {
      expect(() => loadConfig({ ...minimal, PUFA_TIME_ZONE: zone })).toThrowError(/PUFA_TIME_ZONE: not an IANA time zone/);
    }
  });

  it('rejects a table name DynamoDB would refuse', () => {
    expect(() => loadConfig({ PUFA_TABLE_NAME: 'ab' })).toThrowError(/PUFA_TABLE_NAME: at least 3 characters/);
  });

  it('coerces numbers and accepts local endpoints', () => {
    const config = loadConfig({
      ...minimal,
      PUFA_BODY_LIMIT_BYTES: '2048',
      PUFA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      PUFA_LOG_LEVEL: 'silent',
    });
    expect(config.bodyLimitBytes).toBe(2048);
    expect(config.dynamoDbEndpoint).toBe('http://127.0.0.1:8000');
    expect(config.logLevel).toBe('silent');
  });

  it('refuses an endpoint that is not a URL', () => {
    expect(() => loadConfig({ ...minimal, PUFA_DYNAMODB_ENDPOINT: 'localhost-8000' })).toThrowError(/PUFA_DYNAMODB_ENDPOINT/);
  });

  it('allows no cross-origin callers unless origins are listed, and reads a list of exact origins', () => {
    expect(loadConfig(minimal).corsOrigins).toEqual([]);
    expect(loadConfig({ ...minimal, PUFA_CORS_ORIGINS: 'https://pufa.example.gov.cn, http://localhost:5173' }).corsOrigins).toEqual([
      'https://pufa.example.gov.cn',
      'http://localhost:5173',
    ]);
  });

  it('refuses an origin with a path or a wildcard, naming the variable', () => {
    expect(() => loadConfig({ ...minimal, PUFA_CORS_ORIGINS: 'https://pufa.example.gov.cn/app' })).toThrowError(/PUFA_CORS_ORIGINS/);
    expect(() => loadConfig({ ...minimal, PUFA_CORS_ORIGINS: '*' })).toThrowError(/PUFA_CORS_ORIGINS/);
  });
});

describe('the SMS region', () => {
  it('is the stack region when PUFA_SMS_REGION is unset, and PUFA_SMS_REGION when set', () => {
    expect(loadConfig(minimal).sms.region).toBe('ap-southeast-1');
    const config = loadConfig({ ...minimal, AWS_REGION: 'ap-east-1', PUFA_SMS_REGION: 'ap-northeast-1' });
    expect(config.sms.region).toBe('ap-northeast-1');
    // The station topic, the table and the secret stay in the stack's region.
    expect(config.region).toBe('ap-east-1');
  });

  it('refuses an AWS China region for SMS, saying what to set', () => {
    expect(() => loadConfig({ ...minimal, AWS_REGION: 'us-east-1', PUFA_SMS_REGION: 'cn-north-1' })).toThrowError(
      /PUFA_SMS_REGION: SNS does not send SMS from cn-north-1 \(AWS China\)\. Set PUFA_SMS_REGION .*to a region that does, e\.g\. ap-southeast-1/,
    );
  });

  it('refuses a stack in AWS China with no SMS region: the old default would have sent nothing', () => {
    for (const env of [{ PUFA_TABLE_NAME: 'pufa-test' }, { PUFA_TABLE_NAME: 'pufa-test', AWS_REGION: 'cn-northwest-1' }]) {
      expect(() => loadConfig(env)).toThrowError(ConfigError);
      expect(() => loadConfig(env)).toThrowError(/SNS does not send SMS from cn-(north|northwest)-1 \(AWS China\)/);
    }
  });

  it('refuses an SMS region that credentials from AWS China cannot reach', () => {
    expect(() => loadConfig({ ...minimal, AWS_REGION: 'cn-north-1', PUFA_SMS_REGION: 'ap-southeast-1' })).toThrowError(
      /cn-north-1 cannot publish SMS in ap-southeast-1: AWS China is a separate partition/,
    );
  });

  it('refuses a region where SNS sends no SMS, and a value that is not a region', () => {
    expect(() => loadConfig({ ...minimal, PUFA_SMS_REGION: 'ap-east-1' })).toThrowError(/PUFA_SMS_REGION: SNS does not send SMS from ap-east-1/);
    expect(() => loadConfig({ ...minimal, PUFA_SMS_REGION: 'Singapore' })).toThrowError(/PUFA_SMS_REGION: an AWS region/);
  });

  it('does not matter locally, where SMS goes to the sink and never to Amazon SNS', () => {
    const local = loadConfig({ PUFA_TABLE_NAME: 'pufa-test', PUFA_SNS_ENDPOINT: 'http://127.0.0.1:4100', PUFA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
    expect(local.region).toBe('cn-north-1');
    expect(local.sms.region).toBe('cn-north-1');
    expect(loadConfig({ PUFA_TABLE_NAME: 'pufa-test', PUFA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).sms.region).toBe('cn-north-1');
  });
});
