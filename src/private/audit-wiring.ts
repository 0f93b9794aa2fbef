import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import {
  NO_AUDIT_CONFIGURATION_WARNING, accountAuditConfigurationsFor, auditConfigurationFor, enabledChecksOf, notifiesTopic, notifiesWithRole,
  ownerOf, scheduledAuditChecksOf,
} from './audit-setup';
import { AppRegistry, describeEnvironment, environmentKey } from './environment';
import { AuditCheck } from '../audit-check';

// An AuditMitigation's synth-time checks against the audit configuration and scheduled audits of
// its account and region, whoever defined them (this library, aws-iot-alpha, L1s): any
// AWS::IoT::AccountAuditConfiguration of the app counts, read as its template will be.

/** What the checks need to know of an AuditMitigation or a MitigationSpoke. */
export interface WiredMitigation extends IConstruct {
  readonly notificationTopic: sns.ITopic;
  readonly notificationRole: iam.IRole;
}

/** The AuditMitigations and MitigationSpokes of each environment, per app. */
const mitigations = new AppRegistry<WiredMitigation>();

/** Records an AuditMitigation or a MitigationSpoke; returns the live list of those of its environment. */
export function registerAuditMitigation(mitigation: WiredMitigation): readonly WiredMitigation[] {
  return mitigations.add(environmentKey(mitigation), mitigation);
}

/**
 * An audit configuration that sends notifications to the mitigation's own topic with another role
 * (aws-iot-alpha's `AccountAuditConfiguration` defines its own) would be denied every publish: say
 * so at synth time rather than lose every notification. The role is read from the template, so a
 * property override that puts the mitigation's role there is accepted. `takesTopic`: whether the
 * mitigation can be given a topic of the user's own instead (an AuditMitigation can, a MitigationSpoke cannot).
 */
export function refusedNotificationRoles(mitigation: WiredMitigation, takesTopic = true): string[] {
  return accountAuditConfigurationsFor(mitigation)
    .filter((config) => notifiesTopic(config, mitigation.notificationTopic) && !notifiesWithRole(config, mitigation.notificationRole.roleArn))
    .map((config) => `invalid auditNotificationTargetConfigurations.sns.roleArn of ${ownerOf(config).node.path}: only ${mitigation.node.path}'s `
      + 'notificationRole may publish to its notificationTopic; use notificationRole as the role'
      + (takesTopic ? ', or give the AuditMitigation a notificationTopic of your own' : ''));
}

/**
 * AWS IoT notifies one topic per account and region. When the app's audit configuration notifies
 * another mitigation of the environment (an AuditMitigation or a MitigationSpoke) and not this one,
 * this one never hears of an audit. `advice` says what to do about it, given the path of the one notified.
 */
export function unnotified(mitigation: WiredMitigation, mitigationsHere: readonly WiredMitigation[],
  kind = 'AuditMitigation', advice: (wired: string) => string = auditMitigationAdvice): string[] {
  const configurations = accountAuditConfigurationsFor(mitigation);
  if (configurations.length !== 1 || notifiesTopic(configurations[0], mitigation.notificationTopic)) { return []; }
  const notified = mitigationsHere.find((other) => other !== mitigation && notifiesTopic(configurations[0], other.notificationTopic));
  if (!notified) { return []; }
  const wired = notified.node.path;
  return [`the audit configuration ${ownerOf(configurations[0]).node.path} notifies ${wired}, so this ${kind} `
    + `never hears of an audit ${advice(wired)}`];
}

/** What an AuditMitigation the audit configuration does not notify can do. */
function auditMitigationAdvice(wired: string): string {
  return '(AWS IoT notifies one topic per account and region; only its reconciler would start tasks, up to '
    + `reconcileInterval late): give it notificationTopic: <${wired}>.notificationTopic, or move its rules into ${wired} with addRule()`;
}

/**
 * Rules whose check is never audited: not enabled in the audit configuration of the environment, or
 * run by none of the scheduled audits the mitigation listens to (`undefined`: every one). More than
 * one configuration is refused; without any, a warning shows how to wire one.
 */
export function unauditedRules(mitigation: IConstruct, checks: readonly AuditCheck[], scheduledAudits: readonly IConstruct[] | undefined,
  includeOnDemandAudits: boolean): string[] {
  const errors: string[] = [];
  const configurations = accountAuditConfigurationsFor(mitigation);
  if (configurations.length > 1 && !auditConfigurationFor(mitigation)) { // an AuditConfiguration reports it itself
    errors.push(`${describeEnvironment(mitigation)} have ${configurations.length} audit configurations `
      + `(${configurations.map((c) => ownerOf(c).node.path).join(', ')}); AWS IoT has one per account and region, so CloudFormation `
      + 'refuses all but the first ("The AccountAuditConfiguration already exists"): keep one');
  }
  const configuration = configurations.length > 0 ? ownerOf(configurations[0]) : undefined;
  const enabledChecks = configurations.length > 0 ? enabledChecksOf(configurations[0]) : undefined;
  if (!configuration) {
    Annotations.of(mitigation).addWarningV2(NO_AUDIT_CONFIGURATION_WARNING,
      'this app defines no AuditConfiguration for this stack\'s account and region, so nothing here makes '
      + 'audits run or notify this mitigation. Wire one with: '
      + 'new AuditConfiguration(this, \'AuditConfiguration\', { mitigation }); '
      + 'acknowledge this warning if the account\'s audit configuration is managed elsewhere.');
  }
  const audited = scheduledAudits?.map((audit) => scheduledAuditChecksOf(audit));
  const allKnown = audited !== undefined && !includeOnDemandAudits && audited.every((known) => known !== undefined);
  for (const check of checks) {
    const rule = `rule for ${check}`;
    if (configuration && enabledChecks && !enabledChecks.includes(check)) {
      errors.push(`${rule}: the check is not enabled in the audit configuration ${configuration.node.path}, so no audit `
        + `ever reports it; add AuditCheck.${check} to its checks, or remove the rule`);
    }
    if (allKnown && !audited.some((known) => known!.includes(check))) {
      errors.push(`${rule}: none of the scheduled audits this mitigation listens to (${scheduledAudits!.map((a) => a.node.path).join(', ')}) `
        + `runs the check, so its findings are never mitigated; add AuditCheck.${check} to the checks of one of them, or remove the rule`);
    }
  }
  return errors;
}
