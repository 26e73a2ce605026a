/**
 * @module phone-keys
 * The deployment's phone-key secret, turned into `PhoneKeys` once per process: from the
 * environment (`PUFA_PHONE_KEY_SECRET`: local runs and tests) or, on AWS, from the Secrets Manager
 * secret `PUFA_PHONE_KEY_SECRET_ARN` names, read at cold start. The secret is never in the table.
 * The Secrets Manager client is imported only when an ARN is configured: a process keyed from the
 * environment does not compile it.
 */
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { hmacPhoneKeys, PHONE_KEY_SECRET_MIN_LENGTH, type PhoneKeys } from './domain/phone-key.js';

export async function phoneKeysFromConfig(config: Pick<Config, 'phoneKeySecret' | 'region'>, override?: string): Promise<PhoneKeys> {
  if (override !== undefined) return hmacPhoneKeys(override);
  const source = config.phoneKeySecret;
  if (!source) {
    throw new ConfigError([{ variable: 'PUFA_PHONE_KEY_SECRET_ARN', message: 'is required (or PUFA_PHONE_KEY_SECRET): phone numbers are keyed with it' }]);
  }
  if ('value' in source) return hmacPhoneKeys(source.value);
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: config.region });
  try {
    const result = await client.send(new GetSecretValueCommand({ SecretId: source.arn }));
    const secret = result.SecretString ?? '';
    if (secret.length < PHONE_KEY_SECRET_MIN_LENGTH) {
      throw new ConfigError([{ variable: 'PUFA_PHONE_KEY_SECRET_ARN', message: `the secret holds fewer than ${PHONE_KEY_SECRET_MIN_LENGTH} characters` }]);
    }
    return hmacPhoneKeys(secret);
  } finally {
    client.destroy();
  }
}
