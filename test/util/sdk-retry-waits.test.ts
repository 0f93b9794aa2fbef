import { IoTClient, ListAuditTasksCommand } from '@aws-sdk/client-iot';
import { sdkRetry } from './sdk-retry-waits';
import { IotEmulator } from '../emulator/iot-emulator';

// test/util/sdk-retry-waits.ts (a Jest setup file): the SDK's retries in the tests keep their
// attempts and lose only their back-off waits.

test('no back-off between attempts, after an error or a throttle', () => {
  expect(sdkRetry().delay()).toBe(0);
  expect(sdkRetry().throttlingDelay()).toBe(0);
});

test('a throttled call is still retried as in Lambda: the same attempts, then the answer', async () => {
  const emulator = await IotEmulator.start();
  const iot = new IoTClient({ region: 'eu-west-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  try {
    emulator.injectFault({ kind: 'throttle429', operation: 'ListAuditTasks', times: 2 });
    const answer = await iot.send(new ListAuditTasksCommand({ startTime: new Date(Date.now() - 3600_000), endTime: new Date() }));
    expect(answer.tasks).toEqual([]);
    expect(emulator.requests.filter((r) => r.operation === 'ListAuditTasks').map((r) => r.response.status)).toEqual([429, 429, 200]);
    // Three attempts in all, the SDK's default: a third throttle is the caller's to handle.
    emulator.injectFault({ kind: 'throttle429', operation: 'ListAuditTasks', times: 3 });
    await expect(iot.send(new ListAuditTasksCommand({ startTime: new Date(Date.now() - 3600_000), endTime: new Date() }))).rejects.toThrow(/Rate exceeded/);
  } finally {
    iot.destroy();
    await emulator.stop();
  }
});
