/**
 * Starts one in-memory DynamoDB Local for the test run and hands its endpoint to every file; one
 * folder of broadcast recordings that the files share (recordings are kept by content, so a
 * script read once is not read again by the next file: espeak-ng costs about half a second each);
 * and the command-line entry points bundled once (test/support/bundles.ts), built while the JVM starts.
 */
import '../../functions/local/quiet-sdk-warning.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js';
import { buildBundles } from './bundles.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    recordingsDir: string;
    bundlesDir: string;
  }
}

export default async function setup(project: TestProject) {
  const recordings = mkdtempSync(join(tmpdir(), 'pufa-test-recordings-'));
  const bundles = mkdtempSync(join(tmpdir(), 'pufa-test-bundles-'));
  // Waits while the JVM is alive (a minutes-long hang guard), fails at once if it exits.
  const [started, built] = await Promise.allSettled([startDynamoDbLocal(), buildBundles(bundles)]);
  if (started.status === 'rejected' || built.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    rmSync(recordings, { recursive: true, force: true });
    rmSync(bundles, { recursive: true, force: true });
    throw started.status === 'rejected' ? started.reason : (built as PromiseRejectedResult).reason;
  }
  const database = started.value;
  project.provide('dynamoDbEndpoint', database.endpoint);
  project.provide('recordingsDir', recordings);
  project.provide('bundlesDir', bundles);
  return async function teardown() {
    await database.stop();
    rmSync(recordings, { recursive: true, force: true });
    rmSync(bundles, { recursive: true, force: true });
  };
}
