import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, DayOfWeek, MitigationAction, MitigationActionParams, MitigationActionType,
  ScheduledAudit,
} from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const TWO_CHECKS = [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK];

function fixture(app = new App(), checks: AuditCheck[] = TWO_CHECKS) {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const configuration = new AuditConfiguration(stack, 'AuditConfiguration', { checks });
  const notify = new MitigationAction(stack, 'Notify', {
    actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
  });
  return { stack, configuration, notify };
}

describe('ScheduledAudit', () => {
  test('by default runs every check its configuration enables, after the configuration exists', () => {
    // GIVEN
    const { stack, configuration } = fixture();
    // WHEN
    const audit = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily' });
    // THEN
    expect(audit.checks).toEqual(TWO_CHECKS);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::IoT::ScheduledAudit', {
      Properties: { ScheduledAuditName: 'daily', Frequency: 'DAILY', TargetCheckNames: TWO_CHECKS },
      DependsOn: [stack.getLogicalId(configuration.node.defaultChild as iot.CfnAccountAuditConfiguration)],
    });
    expect(stack.resolve(audit.scheduledAuditRef)).toEqual({
      scheduledAuditName: { Ref: stack.getLogicalId(audit.node.defaultChild as iot.CfnScheduledAudit) },
      scheduledAuditArn: { 'Fn::GetAtt': [stack.getLogicalId(audit.node.defaultChild as iot.CfnScheduledAudit), 'ScheduledAuditArn'] },
    });
  });

  test('runs the checks given, when its configuration enables them', () => {
    const { stack, configuration } = fixture();
    new ScheduledAudit(stack, 'Weekly', { configuration, frequency: AuditFrequency.weekly(DayOfWeek.MON), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ScheduledAudit', {
      TargetCheckNames: [AuditCheck.LOGGING_DISABLED_CHECK], ScheduledAuditName: Match.absent(),
    });
  });

  test.each([
    ['daily()', AuditFrequency.daily(), { Frequency: 'DAILY', DayOfWeek: Match.absent(), DayOfMonth: Match.absent() }],
    ['weekly(SUN)', AuditFrequency.weekly(DayOfWeek.SUN), { Frequency: 'WEEKLY', DayOfWeek: 'SUN', DayOfMonth: Match.absent() }],
    ['biweekly(MON)', AuditFrequency.biweekly(DayOfWeek.MON), { Frequency: 'BIWEEKLY', DayOfWeek: 'MON', DayOfMonth: Match.absent() }],
    ['monthly(1)', AuditFrequency.monthly(1), { Frequency: 'MONTHLY', DayOfMonth: '1', DayOfWeek: Match.absent() }],
    ['monthly(31)', AuditFrequency.monthly(31), { Frequency: 'MONTHLY', DayOfMonth: '31' }],
    ['monthlyOnLastDay()', AuditFrequency.monthlyOnLastDay(), { Frequency: 'MONTHLY', DayOfMonth: 'LAST' }],
  ])('frequency %s', (_name, frequency, properties) => {
    const { stack, configuration } = fixture();
    new ScheduledAudit(stack, 'Audit', { configuration, frequency });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ScheduledAudit', properties);
  });

  test('a token day of month and a token name are not validated', () => {
    const { stack, configuration } = fixture();
    const day = new CfnParameter(stack, 'Day', { type: 'Number' });
    const name = new CfnParameter(stack, 'Name');
    new ScheduledAudit(stack, 'Audit', {
      configuration, frequency: AuditFrequency.monthly(day.valueAsNumber), scheduledAuditName: name.valueAsString,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ScheduledAudit', { DayOfMonth: { Ref: 'Day' }, ScheduledAuditName: { Ref: 'Name' } });
  });

  describe('refuses at synth time', () => {
    test.each([0, 32, 1.5, -1])('monthly(%p), refused by the ScheduledAudit given it', (day) => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', { configuration, frequency: AuditFrequency.monthly(day) });
      expectRefused(stack,
        `[Stack/Audit] frequency AuditFrequency.monthly: invalid dayOfMonth ${day}: must be a whole number from 1 to 31 (AuditFrequency.monthlyOnLastDay() for the last day of every month)`);
    });

    test.each(['weekly', 'biweekly'] as const)('%s with a day that is not a DayOfWeek, refused by the ScheduledAudit given it', (factory) => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', { configuration, frequency: AuditFrequency[factory]('MONDAY' as DayOfWeek) });
      expectRefused(stack,
        `[Stack/Audit] frequency AuditFrequency.${factory}: invalid day "MONDAY": must be one of SUN, MON, TUE, WED, THU, FRI, SAT`);
    });

    test.each([
      ['', 'invalid scheduledAuditName "": must be 1 to 128 letters, digits, _ and -'],
      ['daily audit', 'invalid scheduledAuditName "daily audit": must be 1 to 128 letters, digits, _ and -'],
      ['a'.repeat(129), `invalid scheduledAuditName "${'a'.repeat(129)}": must be 1 to 128`],
    ])('scheduledAuditName %j', (scheduledAuditName, message) => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName });
      expectRefused(stack, `[Stack/Audit] ${message}`);
    });

    test('a 128-character name is accepted', () => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'a_-1'.repeat(32) });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('checks its configuration does not enable, naming them', () => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', {
        configuration,
        frequency: AuditFrequency.daily(),
        checks: [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK],
      });
      expectRefused(stack, '[Stack/Audit] invalid checks ["CONFLICTING_CLIENT_IDS_CHECK","DEVICE_CERTIFICATE_AGE_CHECK"]: must be enabled in the audit '
        + 'configuration Stack/AuditConfiguration; add them to its checks, or leave them out of this audit');
    });

    test.each([
      [[], 'invalid checks []: must list at least one audit check'],
      [['NOT_A_CHECK'], 'invalid checks "NOT_A_CHECK": must be audit checks, one of '],
      [[AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK], 'invalid checks "LOGGING_DISABLED_CHECK": lists the check twice'],
    ])('checks %j', (checks, message) => {
      const { stack, configuration } = fixture();
      new ScheduledAudit(stack, 'Audit', { configuration, frequency: AuditFrequency.daily(), checks: checks as AuditCheck[] });
      expectRefused(stack, `[Stack/Audit] ${message}`);
    });
  });

  describe('with AuditMitigation', () => {
    test('goes into scheduledAudits: the handler filters on its name', () => {
      const { stack, configuration, notify } = fixture();
      const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily' });
      new AuditMitigation(stack, 'Mitigation', {
        scheduledAudits: [daily], rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }],
      });
      const dailyId = stack.getLogicalId(daily.node.defaultChild as iot.CfnScheduledAudit);
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ AUDIT_MITIGATION_SCHEDULED_AUDITS: { 'Fn::Join': ['', ['["', { Ref: dailyId }, '"]']] } }) },
      });
    });

    test('a rule for a check none of its scheduled audits runs is an error naming the rule, the check and the fix', () => {
      // GIVEN
      const { stack, configuration, notify } = fixture();
      const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
      const cfn = new iot.CfnScheduledAudit(stack, 'Weekly', { frequency: 'WEEKLY', dayOfWeek: 'MON', targetCheckNames: [AuditCheck.LOGGING_DISABLED_CHECK] });
      const mitigation = new AuditMitigation(stack, 'Mitigation', {
        scheduledAudits: [daily, cfn], rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }],
      });
      // WHEN
      mitigation.addRule(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, [notify]);
      // THEN
      expectRefused(stack,
        '[Stack/Mitigation] rule for DEVICE_CERTIFICATE_SHARED_CHECK: none of the scheduled audits this mitigation listens to (Stack/Daily, Stack/Weekly) '
        + 'runs the check, so its findings are never mitigated; add AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK to the checks of one of them, or remove the rule');
    });

    function mitigationBeforeConfiguration() {
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      const notify = MitigationAction.fromMitigationActionAttributes(stack, 'Notify', {
        mitigationActionName: 'notify', actionType: MitigationActionType.PUBLISH_FINDING_TO_SNS,
      });
      const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }] });
      const configuration = new AuditConfiguration(stack, 'AuditConfiguration', { mitigation });
      const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily', checks: TWO_CHECKS });
      return { stack, notify, mitigation, daily };
    }

    test('addScheduledAudit(): a mitigation defined before the configuration listens to an audit defined after it', () => {
      const { stack, mitigation, daily } = mitigationBeforeConfiguration();
      mitigation.addScheduledAudit(daily);
      const dailyId = stack.getLogicalId(daily.node.defaultChild as iot.CfnScheduledAudit);
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ AUDIT_MITIGATION_SCHEDULED_AUDITS: { 'Fn::Join': ['', ['["', { Ref: dailyId }, '"]']] } }) },
      });
    });

    test('addScheduledAudit(): the rules are checked against the audits added', () => {
      const { stack, notify, mitigation, daily } = mitigationBeforeConfiguration();
      mitigation.addScheduledAudit(daily);
      mitigation.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, [notify]);
      expectRefused(stack, /^\[Stack\/Mitigation\] rule for CONFLICTING_CLIENT_IDS_CHECK: none of the scheduled audits this mitigation listens to \(Stack\/Daily\)/);
    });

    test('a check one of them runs is enough', () => {
      const { stack, configuration, notify } = fixture();
      const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
      const monthly = new ScheduledAudit(stack, 'Monthly', { configuration, frequency: AuditFrequency.monthlyOnLastDay() });
      new AuditMitigation(stack, 'Mitigation', {
        scheduledAudits: [daily, monthly], rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }],
      });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('not checked when one of them is imported (its checks are unknown) or on-demand audits are mitigated too', () => {
      const { stack, configuration, notify } = fixture();
      const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
      const imported = iot.CfnScheduledAudit.fromScheduledAuditName(stack, 'Imported', 'weekly');
      const rules = [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }];
      new AuditMitigation(stack, 'WithImported', { scheduledAudits: [daily, imported], rules });
      new AuditMitigation(stack, 'OnDemandToo', { scheduledAudits: [daily], includeOnDemandAudits: true, rules });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });
  });

  describe('the two check names CloudFormation is reported to refuse in TargetCheckNames', () => {
    const REPORTED = [
      AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK, AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK,
    ];

    test('the default checks leave them out, with an info annotation naming both; the configuration still enables them', () => {
      // GIVEN a configuration enabling every check (AuditConfiguration's default)
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      const configuration = new AuditConfiguration(stack, 'AuditConfiguration');
      // WHEN
      const audit = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily() });
      // THEN
      const expected = Object.values(AuditCheck).filter((check) => !REPORTED.includes(check));
      expect(audit.checks).toEqual(expected);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::IoT::ScheduledAudit', { TargetCheckNames: expected });
      template.hasResourceProperties('AWS::IoT::AccountAuditConfiguration', {
        AuditCheckConfigurations: Match.objectLike({
          IntermediateCaRevokedForActiveDeviceCertificatesCheck: { Enabled: true },
          IoTPolicyPotentialMisConfigurationCheck: { Enabled: true },
        }),
      });
      const infos = Annotations.fromStack(stack).findInfo('/Stack/Daily', Match.stringLikeRegexp('.*'));
      expect(infos.map((i) => i.entry.data)).toEqual([expect.stringMatching(
        /^checks: the default leaves out INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK and IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK, which CloudFormation is reported to refuse/)]);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('scheduledAuditCheckName'));
    });

    test('a configuration enabling only them leaves no default: a clear error', () => {
      const { stack, configuration } = fixture(new App(), REPORTED);
      new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily() });
      expectRefused(stack, /^\[Stack\/Daily\] invalid checks \[\]: must list at least one audit check/);
    });

    test.each(REPORTED)('listing %s explicitly keeps it, with the warning cdk-device-defender:scheduledAuditCheckName', (check) => {
      const { stack, configuration } = fixture(new App(), [...TWO_CHECKS, check]);
      const checks = [AuditCheck.LOGGING_DISABLED_CHECK, check];
      new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), checks });
      Template.fromStack(stack).hasResourceProperties('AWS::IoT::ScheduledAudit', { TargetCheckNames: [AuditCheck.LOGGING_DISABLED_CHECK, check] });
      const warnings = Annotations.fromStack(stack).findWarning('/Stack/Daily', Match.stringLikeRegexp('.*'));
      expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringMatching(new RegExp(
        `^checks lists ${check}: CloudFormation is reported to refuse these .*integ:deploy.* \\[ack: cdk-device-defender:scheduledAuditCheckName\\]$`))]);
      Annotations.fromStack(stack).hasNoInfo('/Stack/Daily', Match.anyValue());
    });
  });

  test('passes the CloudFormation validator and cdk-nag with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, configuration, notify } = fixture(app);
    const daily = new ScheduledAudit(stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily' });
    new ScheduledAudit(stack, 'Biweekly', { configuration, frequency: AuditFrequency.biweekly(DayOfWeek.FRI) });
    new ScheduledAudit(stack, 'Monthly', { configuration, frequency: AuditFrequency.monthly(15) });
    new AuditMitigation(stack, 'Mitigation', { scheduledAudits: [daily], rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }] });
    app.synth();
    expect(nagFindings(stack).filter((f) => !/\/Findings\//.test(f))).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });
});
