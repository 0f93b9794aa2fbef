import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import {
  AuditCheck, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression, AuditSuppressionResource, DetectMitigation,
  MitigationAction, MitigationActionParams, MitigationActionType,
} from '../src';
import { AUDIT_ENV, DETECT_ENV } from '../src/contract/environment';

// What users assert in their own tests: a mitigation's settings and rules are
// read-only properties, documented, and say what the handler and the custom resources get, so no
// test needs the handlers' environment variable names.

const ENV = { account: '123456789012', region: 'eu-west-1' };

function fixture() {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const deactivate = new MitigationAction(stack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'q')] }),
  });
  const imported = MitigationAction.fromMitigationActionAttributes(stack, 'Imported', {
    mitigationActionName: 'notify-security', actionType: MitigationActionType.PUBLISH_FINDING_TO_SNS,
  });
  return { stack, deactivate, quarantine, imported };
}

/** The environment of the function whose description matches `description`. */
function environmentOf(stack: Stack, description: RegExp): Record<string, any> {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp(description.source) },
  }));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Environment.Variables;
}

/** A JSON environment variable rendered by Stack.toJsonString, back to the value with its tokens resolved. */
function parsedJson(rendered: any): unknown {
  if (typeof rendered === 'string') { return JSON.parse(rendered); }
  // Fn::Join of literal JSON pieces and { Ref }s: put each Ref back as a quoted placeholder, then parse.
  const refs: unknown[] = [];
  const text = rendered['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : `@${refs.push(part) - 1}@`)).join('');
  return JSON.parse(text, (_key, value) => (typeof value === 'string' && /^@\d+@$/.test(value) ? refs[Number(value.slice(1, -1))] : value));
}

describe('AuditMitigation', () => {
  test('dryRun and maxFindingsPerCheck: the defaults, false and 100, as the handler gets them', () => {
    const { stack, deactivate } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }] });
    expect(mitigation.dryRun).toBe(false);
    expect(mitigation.maxFindingsPerCheck).toBe(100);
    const env = environmentOf(stack, /audit mitigation actions tasks/);
    expect(env[AUDIT_ENV.DRY_RUN]).toBe('false');
    expect(env[AUDIT_ENV.MAX_FINDINGS_PER_CHECK]).toBe('100');
  });

  test('dryRun and maxFindingsPerCheck: what was given, as the handler gets them', () => {
    const { stack, deactivate } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      dryRun: true, maxFindingsPerCheck: 7, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }],
    });
    expect(mitigation.dryRun).toBe(true);
    expect(mitigation.maxFindingsPerCheck).toBe(7);
    const env = environmentOf(stack, /audit mitigation actions tasks/);
    expect(env[AUDIT_ENV.DRY_RUN]).toBe('true');
    expect(env[AUDIT_ENV.MAX_FINDINGS_PER_CHECK]).toBe('7');
  });

  test('maxFindingsPerCheck given as a token stays that token', () => {
    const { stack, deactivate } = fixture();
    const limit = new CfnParameter(stack, 'Limit', { type: 'Number' }).valueAsNumber;
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      maxFindingsPerCheck: limit, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }],
    });
    expect(stack.resolve(mitigation.maxFindingsPerCheck)).toEqual({ Ref: 'Limit' });
  });

  test('rules: each check with its actions\' names in order, those added later included, as the handler gets them', () => {
    // GIVEN a rule in props, and one added later with an imported action first
    const { stack, deactivate, quarantine, imported } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }] });
    const before = mitigation.rules;
    // WHEN
    mitigation.addRule(AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, [imported, quarantine, deactivate]);
    // THEN a defined action's name is its token, an imported one's the name given
    expect(mitigation.rules).toEqual({
      DEVICE_CERTIFICATE_SHARED_CHECK: [deactivate.mitigationActionName],
      REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: ['notify-security', quarantine.mitigationActionName, deactivate.mitigationActionName],
    });
    expect(stack.resolve(mitigation.rules)).toEqual({
      DEVICE_CERTIFICATE_SHARED_CHECK: [{ Ref: stack.resolve((deactivate.node.defaultChild as iot.CfnMitigationAction).logicalId) }],
      REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: ['notify-security', { Ref: expect.stringMatching(/^Quarantine/) }, { Ref: expect.stringMatching(/^Deactivate/) }],
    });
    // AND a map read before is a copy: it has neither the later rule nor a say in the mitigation
    expect(Object.keys(before)).toEqual(['DEVICE_CERTIFICATE_SHARED_CHECK']);
    before.DEVICE_CERTIFICATE_SHARED_CHECK.push('tampered');
    delete before.DEVICE_CERTIFICATE_SHARED_CHECK;
    expect(stack.resolve(mitigation.rules)).toEqual(
      stack.resolve(parsedJson(environmentOf(stack, /audit mitigation actions tasks/)[AUDIT_ENV.RULES])));
  });
});

describe('DetectMitigation', () => {
  test('dryRun (default false) and actionNames in order, as the handler gets them', () => {
    const { stack, quarantine } = fixture();
    const other = new MitigationAction(stack, 'Other', {
      mitigationActionName: 'other-group',
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(stack, 'G2', 'g2')] }),
    });
    const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
    const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [other, quarantine] });
    const dryFixture = fixture();
    const dry = new DetectMitigation(dryFixture.stack, 'Detect', {
      securityProfile: new iot.CfnSecurityProfile(dryFixture.stack, 'Profile', { securityProfileName: 'chatty' }), actions: [dryFixture.quarantine], dryRun: true,
    });

    expect(detect.dryRun).toBe(false);
    expect(dry.dryRun).toBe(true);
    expect(detect.actionNames).toEqual([other.mitigationActionName, quarantine.mitigationActionName]);
    const env = environmentOf(stack, /detect mitigation/);
    expect(env[DETECT_ENV.DRY_RUN]).toBe('false');
    expect(environmentOf(dryFixture.stack, /detect mitigation/)[DETECT_ENV.DRY_RUN]).toBe('true');
    expect(stack.resolve(parsedJson(env[DETECT_ENV.ACTIONS]))).toEqual(stack.resolve(detect.actionNames));
    // A copy: changing it changes nothing
    detect.actionNames.pop();
    expect(detect.actionNames).toHaveLength(2);
  });
});

describe('AuditMitigationTask', () => {
  test('rules: as the custom resource gets them, those added later included', () => {
    const { stack, deactivate, imported } = fixture();
    const task = new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('4e2bcd1ccbc2a5dd15292a82ab80c380'),
      rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }],
    });
    task.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, [imported]);
    expect(task.rules).toEqual({
      DEVICE_CERTIFICATE_SHARED_CHECK: [deactivate.mitigationActionName],
      CONFLICTING_CLIENT_IDS_CHECK: ['notify-security'],
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::IotMitigationAuditTask'));
    expect(resource.Properties.AuditCheckToActionsMapping).toEqual(stack.resolve(task.rules));
  });
});

describe('AuditSuppression', () => {
  const DAY = 24 * 60 * 60 * 1000;

  test('expiration: the date given (a copy), not indefinitely', () => {
    const { stack } = fixture();
    const until = new Date(Date.now() + 40 * DAY);
    const suppression = new AuditSuppression(stack, 'Lab', {
      check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, resource: AuditSuppressionResource.deviceCertificate('a'.repeat(64)), expiration: until,
    });
    expect(suppression.check).toBe(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK);
    expect(suppression.expiration).toEqual(until);
    expect(suppression.suppressIndefinitely).toBe(false);
    until.setTime(0);
    expect(suppression.expiration!.getTime()).toBeGreaterThan(Date.now() + 30 * DAY);
    Template.fromStack(stack).hasResourceProperties('Custom::IotAuditSuppression', {
      ExpirationDate: suppression.expiration!.toISOString(), SuppressIndefinitely: 'false',
    });
  });

  test('suppressIndefinitely: no expiration', () => {
    const { stack } = fixture();
    const suppression = new AuditSuppression(stack, 'Lab', {
      check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, resource: AuditSuppressionResource.clientId('lab'), suppressIndefinitely: true,
    });
    expect(suppression.expiration).toBeUndefined();
    expect(suppression.suppressIndefinitely).toBe(true);
  });
});
