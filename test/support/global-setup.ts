/**
 * Starts one in-memory DynamoDB Local for the test run and hands its endpoint to every file.
 */
import '../../functions/local/quiet-sdk-warning.js';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // Waits while the JVM is alive (a minutes-long hang guard), fails at once if it exits.
  const database = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', database.endpoint);
  return async function teardown() {
    await database.stop();
  };
}
