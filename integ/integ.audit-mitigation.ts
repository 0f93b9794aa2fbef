/**
 * AuditMitigation with a daily audit and rules. After deployment the handler is invoked with a
 * notification from another account, which it must ignore without starting anything.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { AuditCheck, AuditMitigation, LogLevel, MitigationAction, MitigationActionParams } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegAuditMitigation');

const enableLogging = new MitigationAction(stack, 'EnableLogging', {
  actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
});
const daily = new iot.CfnScheduledAudit(stack, 'Daily', {
  scheduledAuditName: 'integ-dd-daily',
  frequency: 'DAILY',
  targetCheckNames: [AuditCheck.LOGGING_DISABLED_CHECK],
});
const mitigation = new AuditMitigation(stack, 'Mitigation', {
  scheduledAudits: [daily],
  dryRun: true,
  rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] }],
  securityHub: { enableIntegration: true },
});

const integ = new IntegTest(app, 'AuditMitigation', { testCases: [stack] });
const foreign = JSON.stringify({
  accountId: '000000000000',
  taskId: 'integ-foreign-audit',
  taskStatus: 'COMPLETED',
  taskType: 'SCHEDULED_AUDIT_TASK',
  scheduledAuditName: 'integ-dd-daily',
  auditDetails: [],
});
integ.assertions.invokeFunction({
  functionName: mitigation.handler.functionName,
  payload: JSON.stringify({ Records: [{ Sns: { Message: foreign } }] }),
  // Lambda's Invoke returns the handler's result as a JSON string: parse it, then match.
}).expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson(Match.arrayWith([Match.objectLike({
    auditTaskId: 'integ-foreign-audit',
    decision: 'ignored',
    reason: Match.stringLikeRegexp('^audit of account 000000000000, not '),
  })])),
}));
integ.assertions.awsApiCall('IoT', 'describeMitigationAction', { actionName: enableLogging.mitigationActionName })
  .expect(ExpectedResult.objectLike({ actionType: 'ENABLE_IOT_LOGGING' }));
