/**
 * Starts one in-memory DynamoDB Local for the test run and hands its endpoint to every file; and
 * one folder of broadcast recordings that the files share (recordings are kept by content, so a
 * script read once is not read again by the next file: espeak-ng costs about half a second each).
 */
import '../../functions/local/quiet-sdk-warning.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    recordingsDir: string;
  }
}

export default async function setup(project: TestProject) {
  // Waits while the JVM is alive (a minutes-long hang guard), fails at once if it exits.
  const database = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', database.endpoint);
  const recordings = mkdtempSync(join(tmpdir(), 'pufa-test-recordings-'));
  project.provide('recordingsDir', recordings);
  return async function teardown() {
    await database.stop();
    rmSync(recordings, { recursive: true, force: true });
  };
}
