import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, CONTEXT, Emulators, startEmulators, stopEmulators, withLogs } from './harness';
import { expectNoViolations } from '../emulator/iot-emulator';

// What Lambda runs is the esbuild bundle in assets/ (built by `projen bundle` before the tests),
// not the TypeScript source: load it and run it once against the emulator.
const ASSETS = path.join(__dirname, '..', '..', 'assets', 'handlers');
let e: Emulators;

beforeAll(async () => { e = await startEmulators(); });
afterAll(() => stopEmulators(e));

test.each(['audit-mitigation.lambda', 'audit-mitigation-task.lambda', 'audit-suppression.lambda', 'detect-mitigation.lambda', 'task-follower.lambda'])('%s bundle exports a handler and leaves the AWS SDK to the runtime', (name) => {
  const file = path.join(ASSETS, name, 'index.js');
  const source = fs.readFileSync(file, 'utf-8');
  expect(source).toMatch(/require\("@aws-sdk\/client-iot"\)/);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(typeof require(file).handler).toBe('function');
});

test('the bundled audit mitigation handler starts a task', async () => {
  Object.assign(process.env, {
    AUDIT_MITIGATION_RULES: JSON.stringify({ LOGGING_DISABLED_CHECK: ['logging'] }),
    AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'false',
    AUDIT_MITIGATION_DRY_RUN: 'false',
    AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100',
    AUDIT_MITIGATION_TASK_ID_PREFIX: 'ddbundle0001',
    AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '24',
    AUDIT_MITIGATION_NAME: 'Stack/Audit',
  });
  delete process.env.AUDIT_MITIGATION_SCHEDULED_AUDITS;
  delete process.env.AUDIT_MITIGATION_REPORT_TOPIC_ARN;
  e.iot.addMitigationAction({ actionName: 'logging', actionType: 'ENABLE_IOT_LOGGING' });
  e.iot.addAuditTask({ taskId: 'bundle-audit', scheduledAuditName: 'daily', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(path.join(ASSETS, 'audit-mitigation.lambda', 'index.js'));
  const message = JSON.stringify({
    accountId: ACCOUNT,
    taskId: 'bundle-audit',
    taskStatus: 'COMPLETED',
    taskType: 'SCHEDULED_AUDIT_TASK',
    scheduledAuditName: 'daily',
    auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1 }],
  });
  const { result } = await withLogs(() => handler({ Records: [{ Sns: { Message: message } }] }, CONTEXT));
  expect(result).toEqual([{ auditTaskId: 'bundle-audit', decision: 'started', taskId: 'ddbundle0001-bundle-audit' }]);
  expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  expectNoViolations(e.iot);
});
