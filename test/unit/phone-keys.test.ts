/**
 * Where the phone-key secret comes from: the environment, or the Secrets Manager secret named by
 * PUFA_PHONE_KEY_SECRET_ARN (read once; SecretsManager is mocked, it cannot run here).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';
import { hmacPhoneKeys } from '../../functions/domain/phone.js';
import { phoneKeysFromConfig } from '../../functions/phone-keys.js';

const SECRET = 'a-deployment-secret-0123456789-abcdefghijklmnopq';
const ARN = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:PhoneKeySecret-AbCdEf';
/** A deployment's environment: on AWS the region is always set (and must be one that sends SMS). */
const onAws = { PUFA_TABLE_NAME: 'pufa', AWS_REGION: 'ap-southeast-1' };
const secrets = mockClient(SecretsManagerClient);
afterEach(() => secrets.reset());

describe('the phone-key secret', () => {
  it('is read from Secrets Manager when an ARN is configured', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
    const keys = await phoneKeysFromConfig(loadConfig({ ...onAws, PUFA_PHONE_KEY_SECRET_ARN: ARN }));
    expect(keys.keyOf('+8619900001234')).toBe(hmacPhoneKeys(SECRET).keyOf('+8619900001234'));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('is refused when Secrets Manager holds something too short to be one', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(phoneKeysFromConfig(loadConfig({ ...onAws, PUFA_PHONE_KEY_SECRET_ARN: ARN }))).rejects.toThrow(ConfigError);
  });

  it('is required: no secret stops the start naming the variable', async () => {
    await expect(phoneKeysFromConfig(loadConfig(onAws))).rejects.toThrow(/PUFA_PHONE_KEY_SECRET_ARN/);
    expect(() => loadConfig({ PUFA_TABLE_NAME: 'pufa', PUFA_PHONE_KEY_SECRET_ARN: 'not-an-arn' })).toThrow(/PUFA_PHONE_KEY_SECRET_ARN/);
    expect(() => loadConfig({ PUFA_TABLE_NAME: 'pufa', PUFA_PHONE_KEY_SECRET: 'short' })).toThrow(/PUFA_PHONE_KEY_SECRET/);
  });
});
