/**
 * Jest setup (package.json `jest.setupFiles`): the AWS SDK's retries in the tests do not wait.
 *
 * The handler tests throttle and fail the emulators on purpose, and the real SDK clients retry as
 * they do in Lambda: the same attempts, the same errors retried, the same retry quota. Only the
 * back-off between attempts (50 ms, or 1 s after throttling, doubled each time, at random) goes: it
 * is the SDK's, no test asserts it, and it cost the suite tens of seconds. The SDK's `Retry` class
 * is where its standard strategy reads both delay bases on every retry.
 */
import * as path from 'path';

/** The SDK's `Retry` class, from the `@smithy/core` the AWS SDK clients themselves load. */
export function sdkRetry(): { delay: () => number; throttlingDelay: () => number } {
  const core = require.resolve('@smithy/core/retry', { paths: [path.dirname(require.resolve('@aws-sdk/client-iot'))] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(core).Retry;
}

const retry = sdkRetry();
retry.delay = () => 0;
retry.throttlingDelay = () => 0;
