import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';

const minimal = { PUFA_TABLE_NAME: 'pufa-test' };

describe('loadConfig', () => {
  it('fills defaults for everything but the table name', () => {
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
