import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.js';
import { SLOW_TEST_MS } from './test/support/timeouts.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file makes its own table in it.
    globalSetup: ['test/support/global-setup.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Hang guards, not timing assertions: on 2 shared cores a test can be many times slower than alone.
    testTimeout: 120_000,
    hookTimeout: SLOW_TEST_MS,
    // Two cores: more workers than that only makes the JVM and the workers fight.
    maxWorkers: 2,
    // The longest files start first, so that the two workers end together (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
  },
});
