import { readFileSync } from 'fs';
import { join } from 'path';
import * as iotalpha from '@aws-cdk/aws-iot-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, IMitigationAction, MitigationAction, MitigationActionParams, ScheduledAudit,
} from '../src';
import { expectRefused } from './util/refusals';
import { AUDIT_ENV } from '../src/contract/environment';

// Teams on @aws-cdk/aws-iot-alpha keep its AccountAuditConfiguration and ScheduledAudit and add this
// library's AuditMitigation: every prop and method of this library that takes a scheduled audit or
// an audit configuration takes alpha's constructs as they are, with no escape hatch in user code.

const ENV = { account: '123456789012', region: 'eu-west-1' };

function stackWithAction(app = new App(), id = 'Stack'): { stack: Stack; notify: IMitigationAction } {
  const stack = new Stack(app, id, { env: ENV });
  const notify = new MitigationAction(stack, 'Notify', {
    actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
  });
  return { stack, notify };
}

/** The handler's environment variable, one element per scheduled audit: each a { Ref } (or a literal name). */
function scheduledAuditsOf(stack: Stack): unknown[] {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { [AUDIT_ENV.SCHEDULED_AUDITS]: Match.anyValue() } } },
  });
  const [fn] = Object.values(functions);
  const value = fn.Properties.Environment.Variables[AUDIT_ENV.SCHEDULED_AUDITS];
  // Stack.toJsonString renders `["` Ref `","` Ref `"]` as a Fn::Join.
  const parts: unknown[] = typeof value === 'string' ? [value] : value['Fn::Join'][1];
  return parts.filter((p) => typeof p !== 'string' || !/^[[\]",]*$/.test(p));
}

function logicalIdOf(construct: Construct): string {
  return Stack.of(construct).resolve((construct.node.defaultChild as iot.CfnScheduledAudit).logicalId);
}

/**
 * The README's "Coming from @aws-cdk/aws-iot-alpha" example, verbatim between the markers (a test
 * below checks it): jsii-rosetta compiles README examples with the package's dependencies only, so
 * it cannot resolve alpha; here the type-check step compiles the example and jest synthesizes it.
 */
function readmeCoexistExample(this: Construct, notify: MitigationAction): AuditMitigation {
  // README example begins
  // Alpha's configuration publishes with a role of its own: give both a topic of yours.
  const topic = new sns.Topic(this, 'AuditNotifications', { enforceSSL: true });
  const mitigation = new AuditMitigation(this, 'Mitigation', {
    notificationTopic: topic,
    rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
  });
  const configuration = new iotalpha.AccountAuditConfiguration(this, 'AuditConfiguration', { targetTopic: topic });
  mitigation.addScheduledAudit(new iotalpha.ScheduledAudit(this, 'Daily', {
    accountAuditConfiguration: configuration,
    frequency: iotalpha.Frequency.DAILY,
    auditChecks: [iotalpha.AuditCheck.CONFLICTING_CLIENT_IDS_CHECK],
  }));
  // README example ends
  return mitigation;
}

/** The lines of `text` between `begin` and `end` that are code (no import, declare or blank line), trimmed. */
function codeLines(text: string, begin: string, end: string): string[] {
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from);
  expect(from).toBeGreaterThanOrEqual(0);
  expect(to).toBeGreaterThan(from);
  return text.slice(from + begin.length, to).split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('import ') && !line.startsWith('declare '));
}

describe('the README example', () => {
  test('is this file\'s readmeCoexistExample, verbatim, marked so jsii-rosetta does not fail on the import it cannot resolve', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Coming from @aws-cdk/aws-iot-alpha'));
    expect(section).toMatch(/^## Coming from @aws-cdk\/aws-iot-alpha\n[\s\S]*?```ts infused\nimport \* as iotalpha from '@aws-cdk\/aws-iot-alpha';/);
    const example = codeLines(section, '```ts infused\n', '```\n');
    const source = codeLines(readFileSync(__filename, 'utf8'), '// README example begins\n', '// README example ends');
    expect(example).toEqual(source);
  });

  test('synthesizes, with alpha\'s audit in the mitigation and no warning', () => {
    const { stack, notify } = stackWithAction();
    readmeCoexistExample.call(stack, notify as MitigationAction);
    const daily = stack.node.findChild('Daily');
    expect(scheduledAuditsOf(stack)).toEqual([{ Ref: logicalIdOf(daily) }]);
    Annotations.fromStack(stack).hasNoWarning('/Stack/Mitigation', Match.anyValue());
  });
});

describe('with @aws-cdk/aws-iot-alpha', () => {
  test('a stack mixing alpha\'s AccountAuditConfiguration and ScheduledAudit with AuditMitigation compiles and synthesizes, no escape hatch', () => {
    // GIVEN alpha's configuration notifying a topic the mitigation listens to, and alpha's daily audit
    const { stack, notify } = stackWithAction();
    const topic = new sns.Topic(stack, 'AuditNotifications', { enforceSSL: true });
    const configuration = new iotalpha.AccountAuditConfiguration(stack, 'AuditConfiguration', {
      targetTopic: topic,
      checkConfiguration: { conflictingClientIdsCheck: true, loggingDisabledCheck: true, deviceCertificateSharedCheck: false },
    });
    const daily = new iotalpha.ScheduledAudit(stack, 'Daily', {
      accountAuditConfiguration: configuration,
      frequency: iotalpha.Frequency.DAILY,
      auditChecks: [iotalpha.AuditCheck.CONFLICTING_CLIENT_IDS_CHECK],
    });
    const weekly = new iotalpha.ScheduledAudit(stack, 'Weekly', {
      accountAuditConfiguration: configuration,
      frequency: iotalpha.Frequency.WEEKLY,
      dayOfWeek: iotalpha.DayOfWeek.MONDAY,
      auditChecks: [iotalpha.AuditCheck.LOGGING_DISABLED_CHECK],
    });

    // WHEN alpha's audits go straight into the prop and the method
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      notificationTopic: topic,
      scheduledAudits: [daily],
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    mitigation.addScheduledAudit(weekly);
    mitigation.addRule(AuditCheck.LOGGING_DISABLED_CHECK, [notify]);

    // THEN the handler listens to exactly alpha's two audits, by name
    const template = Template.fromStack(stack);
    expect(scheduledAuditsOf(stack)).toEqual([{ Ref: logicalIdOf(daily) }, { Ref: logicalIdOf(weekly) }]);
    template.resourceCountIs('AWS::IoT::AccountAuditConfiguration', 1);
    // and alpha's configuration counts as the audit configuration: no warning
    Annotations.fromStack(stack).hasNoWarning('/Stack/Mitigation', Match.anyValue());
  });

  test('an imported alpha ScheduledAudit is listened to by its name', () => {
    const { stack, notify } = stackWithAction();
    const imported = iotalpha.ScheduledAudit.fromScheduledAuditArn(stack, 'Imported', 'arn:aws:iot:eu-west-1:123456789012:scheduledaudit/nightly');
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    mitigation.addScheduledAudit(imported);
    expect(scheduledAuditsOf(stack)).toEqual(['["nightly"]']);
  });

  test('a construct that is no scheduled audit is refused when given, naming it and what is accepted', () => {
    const { stack, notify } = stackWithAction();
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    mitigation.addScheduledAudit(new sns.Topic(stack, 'NotAnAudit'));
    expectRefused(stack,
      /^\[Stack\/Mitigation\] invalid scheduledAudits "Stack\/NotAnAudit": must be a scheduled audit: .*ScheduledAudit.*CfnScheduledAudit.*aws-iot-alpha/);
  });

  test('alpha\'s configuration and audits are read for the synth-time checks of the rules', () => {
    // GIVEN alpha's configuration without DEVICE_CERTIFICATE_SHARED_CHECK, and an audit of one check
    const { stack, notify } = stackWithAction();
    const configuration = new iotalpha.AccountAuditConfiguration(stack, 'AuditConfiguration', {
      checkConfiguration: { deviceCertificateSharedCheck: false },
    });
    const daily = new iotalpha.ScheduledAudit(stack, 'Daily', {
      accountAuditConfiguration: configuration, frequency: iotalpha.Frequency.DAILY, auditChecks: [iotalpha.AuditCheck.LOGGING_DISABLED_CHECK],
    });
    // WHEN a rule names a check neither runs
    new AuditMitigation(stack, 'Mitigation', {
      scheduledAudits: [daily],
      rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }],
    });
    // THEN both cross-checks name alpha's constructs
    expectRefused(stack,
      /^\[Stack\/Mitigation\] rule for DEVICE_CERTIFICATE_SHARED_CHECK: the check is not enabled in the audit configuration Stack\/AuditConfiguration/,
      /^\[Stack\/Mitigation\] rule for DEVICE_CERTIFICATE_SHARED_CHECK: none of the scheduled audits this mitigation listens to \(Stack\/Daily\) runs the check/);
  });

  test('ScheduledAudit takes alpha\'s AccountAuditConfiguration, and checks against what it enables', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const configuration = new iotalpha.AccountAuditConfiguration(stack, 'AuditConfiguration', {
      checkConfiguration: { deviceCertificateSharedCheck: false },
    });
    const audit = new ScheduledAudit(stack, 'Daily', {
      configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK],
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::IoT::ScheduledAudit', {
      Properties: { TargetCheckNames: ['LOGGING_DISABLED_CHECK'] },
      DependsOn: [Stack.of(stack).resolve((configuration.node.defaultChild as iot.CfnAccountAuditConfiguration).logicalId)],
    });
    expect(audit.checks).toEqual([AuditCheck.LOGGING_DISABLED_CHECK]);
    // A check alpha's configuration leaves out is refused, naming it.
    new ScheduledAudit(stack, 'Shared', {
      configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK],
    });
    expectRefused(stack, /^\[Stack\/Shared\] invalid checks \["DEVICE_CERTIFICATE_SHARED_CHECK"\]: must be enabled in the audit configuration Stack\/AuditConfiguration/);
  });

  test('ScheduledAudit takes an imported alpha configuration when its checks are listed, and asks for them otherwise', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const imported = iotalpha.AccountAuditConfiguration.fromAccountId(stack, 'Imported', '123456789012');
    new ScheduledAudit(stack, 'Daily', { configuration: imported, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ScheduledAudit', { TargetCheckNames: ['LOGGING_DISABLED_CHECK'] });
    new ScheduledAudit(stack, 'Default', { configuration: imported, frequency: AuditFrequency.daily() });
    new ScheduledAudit(stack, 'Wrong', { configuration: new sns.Topic(stack, 'T'), frequency: AuditFrequency.daily() });
    const refusals = expectRefused(stack,
      /^\[Stack\/Default\] invalid checks undefined: .*Stack\/Imported.*list the checks this audit runs/,
      /^\[Stack\/Wrong\] invalid configuration "Stack\/T": must be an audit configuration/);
    // What is not an audit configuration is refused once, not also for its unknown checks.
    expect(refusals.filter((line) => line.startsWith('[Stack/Wrong]'))).toHaveLength(1);
  });

  describe('alpha\'s configuration notifying the mitigation\'s own topic', () => {
    function wiredByAlpha() {
      const { stack, notify } = stackWithAction();
      const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
      const configuration = new iotalpha.AccountAuditConfiguration(stack, 'AuditConfiguration', { targetTopic: mitigation.notificationTopic });
      return { stack, mitigation, configuration };
    }

    test('with alpha\'s own notification role: refused (the topic denies every other publisher)', () => {
      const { stack } = wiredByAlpha();
      expectRefused(stack,
        /^\[Stack\/Mitigation\] invalid auditNotificationTargetConfigurations.sns.roleArn of Stack\/AuditConfiguration: only Stack\/Mitigation's notificationRole/);
    });

    test('with the mitigation\'s notification role put in by a property override: accepted, and no warning', () => {
      const { stack, mitigation, configuration } = wiredByAlpha();
      (configuration.node.defaultChild as iot.CfnAccountAuditConfiguration)
        .addPropertyOverride('AuditNotificationTargetConfigurations.Sns.RoleArn', mitigation.notificationRole.roleArn);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::IoT::AccountAuditConfiguration', {
        AuditNotificationTargetConfigurations: { Sns: { RoleArn: stack.resolve(mitigation.notificationRole.roleArn) } },
      });
      Annotations.fromStack(stack).hasNoWarning('/Stack/Mitigation', Match.anyValue());
    });
  });

  describe('one audit configuration per account and region', () => {
    test('AuditConfiguration beside alpha\'s AccountAuditConfiguration is refused at synth, naming both and the migration', () => {
      const { stack } = stackWithAction();
      new iotalpha.AccountAuditConfiguration(stack, 'AlphaConfiguration');
      new AuditConfiguration(stack, 'AuditConfiguration');
      expectRefused(stack, /^\[Stack\/AuditConfiguration\] account 123456789012 and region eu-west-1 have another audit configuration, Stack\/AlphaConfiguration .*keep one.*Coming from @aws-cdk\/aws-iot-alpha/);
    });

    test('in another stack of the same environment too', () => {
      const app = new App();
      const { stack: alphaStack } = stackWithAction(app, 'Alpha');
      new iotalpha.AccountAuditConfiguration(alphaStack, 'AlphaConfiguration');
      new AuditConfiguration(new Stack(app, 'Ours', { env: ENV }), 'AuditConfiguration');
      expectRefused(app, /^\[Ours\/AuditConfiguration\] .* another audit configuration, Alpha\/AlphaConfiguration/);
    });

    test('two of alpha\'s are refused by the AuditMitigation of that environment', () => {
      const { stack, notify } = stackWithAction();
      new iotalpha.AccountAuditConfiguration(stack, 'First');
      new iotalpha.AccountAuditConfiguration(stack, 'Second');
      new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
      expectRefused(stack, /^\[Stack\/Mitigation\] account 123456789012 and region eu-west-1 have 2 audit configurations \(Stack\/First, Stack\/Second\)/);
    });

    test('the migration\'s end state synthesizes: AuditConfiguration under the logical id of alpha\'s retained configuration', () => {
      // Step 1 of the README's migration: alpha's configuration retained.
      const before = new Stack(new App(), 'Stack', { env: ENV });
      const old = new iotalpha.AccountAuditConfiguration(before, 'AuditConfiguration');
      old.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const oldId = before.resolve((old.node.defaultChild as iot.CfnAccountAuditConfiguration).logicalId);
      expect(Template.fromStack(before).toJSON().Resources[oldId].DeletionPolicy).toBe('Retain');
      // Step 2: this library's configuration takes that logical id, so CloudFormation updates the one configuration in place.
      const after = new Stack(new App(), 'Stack', { env: ENV });
      const configuration = new AuditConfiguration(after, 'DeviceDefenderAudit');
      (configuration.node.defaultChild as iot.CfnAccountAuditConfiguration).overrideLogicalId(oldId);
      const resources = Template.fromStack(after).findResources('AWS::IoT::AccountAuditConfiguration');
      expect(Object.keys(resources)).toEqual([oldId]);
      expect(resources[oldId].DeletionPolicy).toBe('Retain');
    });
  });
});
