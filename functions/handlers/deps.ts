/**
 * @module handlers/deps
 * Builds the app's dependencies from the Lambda environment, once per process (cold start).
 * A missing or bad variable fails the cold start with a ConfigError that names it; so does a
 * phone-key secret that cannot be read (nothing is keyed with a wrong or missing secret).
 */
import type { AppDeps } from '../http/env.js';
import { phoneKeysFromConfig } from '../phone-keys.js';
import { storeDepsFromEnvironment } from './store-deps.js';

export async function depsFromEnvironment(env: Record<string, string | undefined>): Promise<AppDeps> {
  const deps = storeDepsFromEnvironment(env);
  return { ...deps, phoneKeys: await phoneKeysFromConfig(deps.config) };
}
