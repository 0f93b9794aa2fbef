import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { AppRegistry, environmentKey } from './environment';
import { AuditCheck } from '../audit-check';
import { AUDIT_CHECKS, AuditCheckProperty } from '../contract/audit-checks';

/** aws-cdk-lib's L1 name of a check's property in `AuditCheckConfigurations`. */
export type CheckConfigurationKey = keyof iot.CfnAccountAuditConfiguration.AuditCheckConfigurationsProperty;

/**
 * The L1 name of `check`'s property: the contract's CloudFormation property with a lower-case first
 * letter, as aws-cdk-lib names it. Fails to compile when a contract property is not one the L1 has.
 */
export function checkConfigurationKey(check: AuditCheck): CheckConfigurationKey {
  const property = AUDIT_CHECKS[check].cloudFormationProperty as AuditCheckProperty;
  return uncapitalize(property);
}

function uncapitalize<S extends string>(value: S): Uncapitalize<S> {
  return (value.charAt(0).toLowerCase() + value.slice(1)) as Uncapitalize<S>;
}

/**
 * Check names CloudFormation is reported to refuse in a scheduled audit's `TargetCheckNames`
 * ("invalid Audit Check Name", reported to `@aws-cdk/aws-iot-alpha`, which then dropped both from
 * its scheduled-audit checks). Only a real deployment (`integ:deploy`) can prove either way, so
 * `ScheduledAudit` leaves them out of its default checks and warns when they are listed; the
 * account's audit configuration, where no failure is reported, keeps enabling them.
 */
export const SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS: readonly AuditCheck[] = [
  AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK,
  AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK,
];

/** The warning a scheduled audit that lists one of `SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS` gets. */
export const SCHEDULED_AUDIT_CHECK_NAME_WARNING = 'cdk-device-defender:scheduledAuditCheckName';

/** Every audit check, in the enum's order. */
export const ALL_AUDIT_CHECKS = Object.values(AuditCheck) as AuditCheck[];

/**
 * Certificate age and expiry thresholds, in days: AWS documents 30 to 3652, but deployments above
 * 3650 are reported to fail (aws-cdk PR #35365), so 3650 is the highest this library accepts.
 */
export const MIN_CERTIFICATE_THRESHOLD_DAYS = 30;
export const MAX_CERTIFICATE_THRESHOLD_DAYS = 3650;

/** CreateScheduledAudit's rule for `scheduledAuditName`. */
export const SCHEDULED_AUDIT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

/** The id of the warning on an AuditMitigation in an app that defines no AuditConfiguration for its environment. */
export const NO_AUDIT_CONFIGURATION_WARNING = 'cdk-device-defender:noAuditConfiguration';

/** This library's AuditConfiguration of each environment, per app. */
const configurations = new AppRegistry<IConstruct>();
/** The checks of each ScheduledAudit defined in the app. */
const scheduledAuditChecks = new WeakMap<IConstruct, AuditCheck[]>();

/**
 * Records `configuration` as the AuditConfiguration of its environment; returns the one already
 * recorded there, if any.
 */
export function registerAuditConfiguration(configuration: IConstruct): IConstruct | undefined {
  const recorded = configurations.add(environmentKey(configuration), configuration);
  return recorded[0] === configuration ? undefined : recorded[0];
}

/** This library's AuditConfiguration defined in this app for `scope`'s environment, if any. */
export function auditConfigurationFor(scope: IConstruct): IConstruct | undefined {
  return configurations.get(scope, environmentKey(scope))[0];
}

/** Records the checks a scheduled audit runs. */
export function registerScheduledAuditChecks(audit: IConstruct, checks: AuditCheck[]): void {
  scheduledAuditChecks.set(audit, [...checks]);
}

// ---------------------------------------------------------------------------------------------
// Audit resources as the template has them, whoever defined them: this library, aws-iot-alpha
// (AccountAuditConfiguration, ScheduledAudit), aws-cdk-lib's L1s or the user's own L2s.
// ---------------------------------------------------------------------------------------------

const ACCOUNT_AUDIT_CONFIGURATION_TYPE = iot.CfnAccountAuditConfiguration.CFN_RESOURCE_TYPE_NAME;
const SCHEDULED_AUDIT_TYPE = iot.CfnScheduledAudit.CFN_RESOURCE_TYPE_NAME;

/**
 * `construct` when it is a CloudFormation resource of `type`, or else its default child when that
 * is one: the L1 of an L2 of any library.
 */
function resourceOf(construct: IConstruct, type: string): CfnResource | undefined {
  for (const candidate of [construct, construct.node.defaultChild]) {
    if (candidate && CfnResource.isCfnResource(candidate) && candidate.cfnResourceType === type) { return candidate; }
  }
  return undefined;
}

/** The construct users know a resource by: the L2 whose default child it is, or the L1 itself. */
export function ownerOf(resource: CfnResource): IConstruct {
  const parent = resource.node.scope;
  return parent?.node.defaultChild === resource ? parent : resource;
}

/** A resource's properties as the template will have them: resolved, property overrides included. */
function templateProperties(resource: CfnResource): Record<string, any> {
  const rendered = Stack.of(resource).resolve(resource._toCloudFormation()) as { Resources?: Record<string, { Properties?: Record<string, any> }> };
  return Object.values(rendered.Resources ?? {})[0]?.Properties ?? {};
}

/** Whether a resolved template value is `value` resolved in `resource`'s stack. */
function resolvesTo(resource: CfnResource, resolved: unknown, value: string): boolean {
  return resolved !== undefined && JSON.stringify(resolved) === JSON.stringify(Stack.of(resource).resolve(value));
}

/** The `AWS::IoT::AccountAuditConfiguration` of `construct` (an L2 of any library, or the L1), if it has one. */
export function accountAuditConfigurationOf(construct: IConstruct): CfnResource | undefined {
  return resourceOf(construct, ACCOUNT_AUDIT_CONFIGURATION_TYPE);
}

/** Every `AWS::IoT::AccountAuditConfiguration` of the app in `scope`'s account and region, whoever defined it. */
export function accountAuditConfigurationsFor(scope: IConstruct): CfnResource[] {
  const key = environmentKey(scope);
  return scope.node.root.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)
    && c.cfnResourceType === ACCOUNT_AUDIT_CONFIGURATION_TYPE && environmentKey(c) === key);
}

const CHECK_OF_PROPERTY = new Map(ALL_AUDIT_CHECKS.map((check) => [AUDIT_CHECKS[check].cloudFormationProperty, check]));

/**
 * The checks an account audit configuration enables in the template (`Enabled: true`; a check left
 * out is not enabled by it), or `undefined` when a value is not literal.
 */
export function enabledChecksOf(resource: CfnResource): AuditCheck[] | undefined {
  const checkConfigurations: unknown = templateProperties(resource).AuditCheckConfigurations ?? {};
  if (!isLiteralObject(checkConfigurations)) { return undefined; }
  const enabled: AuditCheck[] = [];
  for (const [property, configuration] of Object.entries(checkConfigurations)) {
    const check = CHECK_OF_PROPERTY.get(property);
    if (!check || configuration === undefined) { continue; }
    if (!isLiteralObject(configuration)) { return undefined; }
    const value = configuration.Enabled;
    if (value === true || value === 'true') {
      enabled.push(check);
    } else if (value !== undefined && value !== false && value !== 'false') {
      return undefined;
    }
  }
  return enabled;
}

/** The SNS target of an account audit configuration, as the template has it (resolved). */
function notificationTargetOf(resource: CfnResource): { topicArn?: unknown; roleArn?: unknown } {
  const target = templateProperties(resource).AuditNotificationTargetConfigurations?.Sns;
  return isLiteralObject(target) ? { topicArn: target.TargetArn, roleArn: target.RoleArn } : {};
}

/** Whether an account audit configuration sends its notifications to `topic`. */
export function notifiesTopic(resource: CfnResource, topic: sns.ITopic): boolean {
  return resolvesTo(resource, notificationTargetOf(resource).topicArn, topic.topicArn);
}

/** Whether an account audit configuration publishes its notifications with `roleArn`. */
export function notifiesWithRole(resource: CfnResource, roleArn: string): boolean {
  return resolvesTo(resource, notificationTargetOf(resource).roleArn, roleArn);
}

/** An object of the template that is not an intrinsic function (`Ref`, `Fn::*`). */
function isLiteralObject(value: unknown): value is Record<string, any> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) { return false; }
  const keys = Object.keys(value);
  return !(keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')));
}

/**
 * The name of a scheduled audit, as the handler matches audits (a token until deployed): an
 * `iot.IScheduledAuditRef` (this library's ScheduledAudit, a CfnScheduledAudit), a construct whose
 * default child is an `AWS::IoT::ScheduledAudit` (aws-iot-alpha's ScheduledAudit), or one with a
 * `scheduledAuditName` (aws-iot-alpha's imported IScheduledAudit). `undefined` for anything else.
 */
export function scheduledAuditNameOf(audit: IConstruct): string | undefined {
  const ref = (audit as Partial<iot.IScheduledAuditRef>).scheduledAuditRef;
  if (ref) { return ref.scheduledAuditName; }
  const resource = resourceOf(audit, SCHEDULED_AUDIT_TYPE);
  if (resource) { return resource.ref; }
  const name = (audit as { scheduledAuditName?: unknown }).scheduledAuditName;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The checks a scheduled audit runs, when the app knows them: a ScheduledAudit, or any other with an
 * `AWS::IoT::ScheduledAudit` whose `TargetCheckNames` are literal in the template.
 */
export function scheduledAuditChecksOf(audit: IConstruct): AuditCheck[] | undefined {
  const known = scheduledAuditChecks.get(audit);
  if (known) { return known; }
  const resource = resourceOf(audit, SCHEDULED_AUDIT_TYPE);
  const names: unknown = resource ? templateProperties(resource).TargetCheckNames : undefined;
  return Array.isArray(names) && names.every((n) => typeof n === 'string') ? names as AuditCheck[] : undefined;
}
