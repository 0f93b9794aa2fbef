import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { App, CfnParameter, Duration, Errors, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression,
  AuditSuppressionResource, DayOfWeek, DetectMitigation, IMitigationAction, LogLevel, MitigationAction, MitigationActionParams,
  MitigationActionType, MitigationDashboard, MitigationEventBus, MitigationSpoke, MitigationSpokeProps, ScheduledAudit,
} from '../src';
import { refusalsOf } from './util/refusals';
import { hubRefFromAttributes } from '../src/private/hub-ref';

// Every refusal of the library, one row each: the app is built without an error, and synthesis
// (what `cdk synth` and `Template.fromStack()` run) fails with aws-cdk-lib's own ValidationError,
// whose message has one line per refusal, `[<construct path>] <message>`.

const ENV = { account: '123456789012', region: 'eu-west-1' };
const T = MitigationActionType;

interface Given {
  readonly stack: Stack;
  readonly notify: IMitigationAction;
  readonly deactivate: IMitigationAction;
  readonly quarantine: IMitigationAction;
  readonly logging: IMitigationAction;
  readonly profile: iot.CfnSecurityProfile;
}

function given(): Given {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const imported = (id: string, actionType: MitigationActionType) =>
    MitigationAction.fromMitigationActionAttributes(stack, id, { mitigationActionName: id.toLowerCase(), actionType });
  return {
    stack,
    notify: imported('Notify', T.PUBLISH_FINDING_TO_SNS),
    deactivate: imported('Deactivate', T.UPDATE_DEVICE_CERTIFICATE),
    quarantine: imported('Quarantine', T.ADD_THINGS_TO_THING_GROUP),
    logging: imported('Logging', T.ENABLE_IOT_LOGGING),
    profile: new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' }),
  };
}

const ca = () => MitigationActionParams.updateCaCertificate();
const param = (s: Stack) => new CfnParameter(s, 'Check').valueAsString;
const groups = (s: Stack, n: number) => Array.from({ length: n }, (_, i) => iot.CfnThingGroup.fromThingGroupName(s, `G${i}`, `g${i}`));
const longRole = (s: Stack) => iam.Role.fromRoleArn(s, 'Long', `arn:aws:iam::123456789012:role/${'p/'.repeat(1010)}r`);
const many = (s: Stack, n: number, actionType: MitigationActionType) => Array.from({ length: n }, (_, i) =>
  MitigationAction.fromMitigationActionAttributes(s, `N${i}`, { mitigationActionName: `n${i}`, actionType }));
const auditing = (g: Given, props = {}) => new AuditMitigation(g.stack, 'Mitigation', {
  rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [g.notify] }], ...props,
});
const rule = (g: Given, check: AuditCheck, actions: IMitigationAction[]) => new AuditMitigation(g.stack, 'Mitigation', { rules: [{ check, actions }] });
const configured = (g: Given, checks = [AuditCheck.LOGGING_DISABLED_CHECK]) => new AuditConfiguration(g.stack, 'AuditConfiguration', { checks });
const scheduled = (g: Given, props: Partial<ConstructorParameters<typeof ScheduledAudit>[2]>) =>
  new ScheduledAudit(g.stack, 'Audit', { configuration: configured(g), frequency: AuditFrequency.daily(), ...props });
const suppressed = (g: Given, props: Partial<ConstructorParameters<typeof AuditSuppression>[2]>) => new AuditSuppression(g.stack, 'S', {
  check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
  resource: AuditSuppressionResource.deviceCertificate('a'.repeat(64)),
  suppressIndefinitely: true,
  ...props,
});
const task = (g: Given, target: AuditMitigationTarget, props = {}) => new AuditMitigationTask(g.stack, 'Task', {
  target, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [g.notify] }], ...props,
});
const spoke = (g: Given, props: Partial<MitigationSpokeProps>, id = 'Spoke') =>
  new MitigationSpoke(g.stack, id, { hub: hubRefFromAttributes(g.stack, `${id}Hub`, { account: '111111111111', region: 'eu-west-1' }), ...props });
const detect = (g: Given, props = {}) => new DetectMitigation(g.stack, 'Detect', { securityProfile: g.profile, actions: [g.quarantine], ...props });

const ROWS: Array<[string, (g: Given) => unknown, string]> = [
  // MitigationAction and its parameters
  ['action name', (g) => new MitigationAction(g.stack, 'A', { mitigationActionName: 'bad name', actionParams: ca() }),
    '[Stack/A] invalid mitigationActionName "bad name": must be 1 to 128 characters from [a-zA-Z0-9_-]'],
  ['action role ARN', (g) => new MitigationAction(g.stack, 'A', { role: longRole(g.stack), actionParams: ca() }),
    '[Stack/A] invalid role.roleArn "arn:aws:iam::123456789012:role/p/p/'],
  ['action tags', (g) => {
    const action = new MitigationAction(g.stack, 'A', { actionParams: ca() });
    for (let i = 0; i < 51; i++) { Tags.of(action).add(`t${i}`, 'v'); }
  },
  '[Stack/A] a mitigation action takes at most 50 tags, got 51'],
  ['action name twice', (g) => ['A', 'B'].map((id) => new MitigationAction(g.stack, id, { mitigationActionName: 'same', actionParams: ca() })),
    '[Stack/B] mitigationActionName "same" is already the name of Stack/A in account 123456789012 and region eu-west-1'],
  ['no thing group', (g) => new MitigationAction(g.stack, 'A', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [] }) }),
    '[Stack/A] invalid thingGroups []: must name 1 to 10 thing groups, got 0'],
  ['11 thing groups', (g) => new MitigationAction(g.stack, 'A', {
    actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: groups(g.stack, 11) }),
  }), '[Stack/A] invalid thingGroups ["g0","g1","g2","g3","g4","g5","g6","g7","g8","g9","g10"]: must name 1 to 10 thing groups, got 11'],
  ['a thing group twice', (g) => {
    const [group] = groups(g.stack, 1);
    new MitigationAction(g.stack, 'A', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group, group] }) });
  }, '[Stack/A] invalid thingGroups ["g0","g0"]: must be distinct thing groups, "g0" appears more than once'],
  ['thing group name', (g) => new MitigationAction(g.stack, 'A', {
    actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(g.stack, 'G', 'a b')] }),
  }), '[Stack/A] invalid thingGroups[].thingGroupName "a b": must match [a-zA-Z0-9:_-]{1,128}'],
  ['log level', (g) => new MitigationAction(g.stack, 'A', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: 'DISABLED' as LogLevel }) }),
    '[Stack/A] invalid logLevel "DISABLED": must be one of DEBUG, INFO, WARN, ERROR'],
  ['logging role ARN', (g) => new MitigationAction(g.stack, 'A', {
    actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.INFO, loggingRole: longRole(g.stack) }),
  }), '[Stack/A] invalid loggingRole.roleArn "arn:aws:iam::123456789012:role/p/p/'],
  ['topic ARN', (g) => new MitigationAction(g.stack, 'A', {
    actionParams: MitigationActionParams.publishFindingToSns({ topic: sns.Topic.fromTopicArn(g.stack, 'T', `arn:aws:sns:eu-west-1:123456789012:${'t'.repeat(320)}`) }),
  }), '[Stack/A] invalid topic.topicArn "arn:aws:sns:eu-west-1:123456789012:ttt'],
  ['import, neither ARN nor name', (g) => MitigationAction.fromMitigationActionAttributes(g.stack, 'I', {}),
    '[Stack/I] give exactly one of mitigationActionArn and mitigationActionName, got neither'],
  ['import, not an action ARN', (g) => MitigationAction.fromMitigationActionArn(g.stack, 'I', 'arn:aws:sns:eu-west-1:1:topic'),
    '[Stack/I] invalid mitigationActionArn "arn:aws:sns:eu-west-1:1:topic": expected arn:<partition>:iot:<region>:<account>:mitigationaction/<name>'],
  ['import, name', (g) => MitigationAction.fromMitigationActionName(g.stack, 'I', 'a b'),
    '[Stack/I] invalid mitigationActionName "a b": must match [a-zA-Z0-9_-]{1,128}'],
  ['import, type', (g) => MitigationAction.fromMitigationActionAttributes(g.stack, 'I', { mitigationActionName: 'a', actionType: 'NOPE' as MitigationActionType }),
    '[Stack/I] invalid actionType "NOPE": must be one of ADD_THINGS_TO_THING_GROUP, '],
  // Rules (AuditMitigation and AuditMitigationTask share them)
  ['rule, unknown check', (g) => rule(g, 'NOPE' as AuditCheck, [g.notify]), '[Stack/Mitigation] unknown audit check "NOPE": must be one of '],
  ['rule, check twice', (g) => auditing(g).addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, [g.notify]),
    '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: the check already has a rule'],
  ['rule, no action', (g) => rule(g, AuditCheck.LOGGING_DISABLED_CHECK, []), '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: needs 1 to 5 actions, got none'],
  ['rule, 6 actions', (g) => rule(g, AuditCheck.LOGGING_DISABLED_CHECK, many(g.stack, 6, T.PUBLISH_FINDING_TO_SNS)),
    '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: needs 1 to 5 actions, got 6: Stack/N0, '],
  ['rule, action twice', (g) => rule(g, AuditCheck.LOGGING_DISABLED_CHECK, [g.notify, g.notify]),
    '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: action Stack/Notify is listed twice'],
  ['rule, action of unknown type', (g) => rule(g, AuditCheck.LOGGING_DISABLED_CHECK, [MitigationAction.fromMitigationActionName(g.stack, 'U', 'u')]),
    '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: the type of action Stack/U is unknown'],
  ['rule, action type the check does not take', (g) => rule(g, AuditCheck.LOGGING_DISABLED_CHECK, [g.deactivate]),
    '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: action Stack/Deactivate is UPDATE_DEVICE_CERTIFICATE, which AWS IoT Device Defender cannot apply'],
  ['AuditMitigation without rules', (g) => new AuditMitigation(g.stack, 'Mitigation'), '[Stack/Mitigation] an AuditMitigation needs at least one rule'],
  ['AuditMitigationTask without rules', (g) => new AuditMitigationTask(g.stack, 'Task', { target: AuditMitigationTarget.auditTask('a-1') }),
    '[Stack/Task] an AuditMitigationTask needs at least one rule'],
  // AuditMitigation
  ['maxFindingsPerCheck', (g) => auditing(g, { maxFindingsPerCheck: 0 }), '[Stack/Mitigation] invalid maxFindingsPerCheck 0: must be a whole number of at least 1'],
  ['reconcileInterval under a minute', (g) => auditing(g, { reconcileInterval: Duration.seconds(30) }),
    '[Stack/Mitigation] invalid reconcileInterval "30 seconds": must be at least 1 minute, in whole minutes (an EventBridge rate)'],
  ['reconcileInterval not whole minutes', (g) => auditing(g, { reconcileInterval: Duration.seconds(90) }),
    '[Stack/Mitigation] invalid reconcileInterval "1 minute 30 seconds": must be at least 1 minute, in whole minutes'],
  ['reconcileLookback', (g) => auditing(g, { reconcileLookback: Duration.days(91) }), '[Stack/Mitigation] invalid reconcileLookback "91 days": must be 1 hour to 90 days'],
  ['reconcileLookback under reconcileInterval', (g) => auditing(g, { reconcileInterval: Duration.hours(6), reconcileLookback: Duration.hours(2) }),
    '[Stack/Mitigation] invalid reconcileLookback "2 hours": must be at least reconcileInterval (6 hours)'],
  ['not a scheduled audit', (g) => auditing(g).addScheduledAudit(new Construct(g.stack, 'X')),
    '[Stack/Mitigation] invalid scheduledAudits "Stack/X": must be a scheduled audit'],
  ['rule for a check the configuration does not enable', (g) => { configured(g); auditing(g); },
    '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: the check is not enabled in the audit configuration Stack/AuditConfiguration'],
  ['rule for a check no scheduled audit runs', (g) => {
    configured(g, [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.CONFLICTING_CLIENT_IDS_CHECK]);
    const audit = new ScheduledAudit(g.stack, 'Audit', {
      configuration: g.stack.node.findChild('AuditConfiguration'),
      frequency: AuditFrequency.daily(),
      checks: [AuditCheck.LOGGING_DISABLED_CHECK],
    });
    auditing(g, { scheduledAudits: [audit] });
  }, '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: none of the scheduled audits this mitigation listens to (Stack/Audit) runs the check'],
  ['two audit configurations', (g) => {
    ['A', 'B'].forEach((id) => new iot.CfnAccountAuditConfiguration(g.stack, id, { accountId: '123456789012', roleArn: 'arn:aws:iam::1:role/r', auditCheckConfigurations: {} }));
    auditing(g);
  }, '[Stack/Mitigation] account 123456789012 and region eu-west-1 have 2 audit configurations (Stack/A, Stack/B)'],
  ['a second AuditMitigation not notified', (g) => {
    const first = auditing(g);
    new AuditConfiguration(g.stack, 'AuditConfiguration', { mitigation: first });
    new AuditMitigation(g.stack, 'Second', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [g.notify] }] });
  }, '[Stack/Second] the audit configuration Stack/AuditConfiguration notifies Stack/Mitigation, so this AuditMitigation never hears of an audit'],
  ['notification role of another', (g) => {
    const mitigation = auditing(g);
    new iot.CfnAccountAuditConfiguration(g.stack, 'Raw', {
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::1:role/r',
      auditCheckConfigurations: { conflictingClientIdsCheck: { enabled: true } },
      auditNotificationTargetConfigurations: { sns: { targetArn: mitigation.notificationTopic.topicArn, roleArn: 'arn:aws:iam::1:role/other', enabled: true } },
    });
  }, '[Stack/Mitigation] invalid auditNotificationTargetConfigurations.sns.roleArn of Stack/Raw: only Stack/Mitigation\'s notificationRole may publish'],
  ['metric per check', (g) => auditing(g).metricForCheck('TasksStarted', AuditCheck.CONFLICTING_CLIENT_IDS_CHECK),
    '[Stack/Mitigation] invalid metricName "TasksStarted": the functions emit only ChecksExcluded, '],
  ['metric per action', (g) => auditing(g).metricForAction('FindingsFound', g.notify),
    '[Stack/Mitigation] invalid metricName "FindingsFound": the functions emit only ExecutionsSucceeded, '],
  // MitigationSpoke and the hub it names (its rules are refused as AuditMitigation's: the rows above)
  ['hub account', (g) => hubRefFromAttributes(g.stack, 'Hub', { account: '1', region: 'eu-west-1' }),
    '[Stack/Hub] invalid account "1": must be an AWS account id, 12 digits'],
  ['hub region', (g) => hubRefFromAttributes(g.stack, 'Hub', { account: '111111111111', region: 'EU' }),
    '[Stack/Hub] invalid region "EU": must be an AWS region name, such as eu-west-1'],
  ['hub organizationId', (g) => hubRefFromAttributes(g.stack, 'Hub', { account: '111111111111', region: 'eu-west-1', organizationId: 'org' }),
    '[Stack/Hub] invalid organizationId "org": must be an AWS Organizations organization id: o- and 10 to 32 lowercase letters or digits'],
  ['hub spokeRoleName', (g) => hubRefFromAttributes(g.stack, 'Hub', { account: '111111111111', region: 'eu-west-1', spokeRoleName: 'a b' }),
    '[Stack/Hub] invalid spokeRoleName "a b": must be 1 to 48 characters from letters, digits and +=,.@_- '],
  ['MitigationSpoke without rules', (g) => spoke(g, {}), '[Stack/Spoke] a MitigationSpoke needs at least one rule (rules or addRule())'],
  ['a second MitigationSpoke', (g) => ['Spoke', 'Second'].forEach((id) => spoke(g, { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [g.notify] }] }, id)),
    '[Stack/Second] account 123456789012 and region eu-west-1 already have a MitigationSpoke, Stack/Spoke'],
  ['a MitigationSpoke not notified', (g) => {
    new AuditConfiguration(g.stack, 'AuditConfiguration', { mitigation: auditing(g) });
    spoke(g, { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [g.notify] }] });
  }, '[Stack/Spoke] the audit configuration Stack/AuditConfiguration notifies Stack/Mitigation, so this MitigationSpoke never hears of an audit'],
  ['MitigationSpoke configuration over 8 KB', (g) => {
    const s = spoke(g, { includeOnDemandAudits: true });
    const actions = Array.from({ length: 5 }, (_, i) =>
      MitigationAction.fromMitigationActionAttributes(g.stack, `Long${i}`, { mitigationActionName: `${i}`.padEnd(128, 'x'), actionType: T.PUBLISH_FINDING_TO_SNS }));
    Object.values(AuditCheck).forEach((check) => s.addRule(check, actions));
  }, '[Stack/Spoke] the spoke\'s configuration is at least '],
  // AuditConfiguration
  ['second AuditConfiguration', (g) => ['First', 'Second'].map((id) => new AuditConfiguration(g.stack, id)),
    '[Stack/Second] account 123456789012 and region eu-west-1 already have an AuditConfiguration, Stack/First'],
  ['mitigation and notificationTopic', (g) => new AuditConfiguration(g.stack, 'C', { mitigation: auditing(g), notificationTopic: new sns.Topic(g.stack, 'T') }),
    '[Stack/C] invalid notificationTopic "Stack/T": give either mitigation (its topic and role are used) or notificationTopic, not both'],
  ['configuration without checks', (g) => configured(g, []), '[Stack/AuditConfiguration] invalid checks []: must enable at least one audit check'],
  ['configuration, unknown check', (g) => configured(g, ['NOPE' as AuditCheck]), '[Stack/AuditConfiguration] invalid checks "NOPE": must be audit checks, one of '],
  ['configuration, check twice', (g) => configured(g, [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK]),
    '[Stack/AuditConfiguration] invalid checks "LOGGING_DISABLED_CHECK": lists the check twice'],
  ['threshold of a check not enabled', (g) => new AuditConfiguration(g.stack, 'C', { checks: [AuditCheck.LOGGING_DISABLED_CHECK], deviceCertificateAgeThreshold: Duration.days(60) }),
    '[Stack/C] invalid deviceCertificateAgeThreshold "60 days": applies to DEVICE_CERTIFICATE_AGE_CHECK, which is not in checks'],
  ['threshold', (g) => new AuditConfiguration(g.stack, 'C', { deviceCertificateExpiringThreshold: Duration.days(7) }),
    '[Stack/C] invalid deviceCertificateExpiringThreshold "7 days": must be a whole number of days from 30 to 3650'],
  ['configuration beside another', (g) => { configured(g); new iot.CfnAccountAuditConfiguration(g.stack, 'Raw', { accountId: '1', roleArn: 'arn:aws:iam::1:role/r', auditCheckConfigurations: {} }); },
    '[Stack/AuditConfiguration] account 123456789012 and region eu-west-1 have another audit configuration, Stack/Raw'],
  // ScheduledAudit
  ['scheduled audit name', (g) => scheduled(g, { scheduledAuditName: 'a b' }), '[Stack/Audit] invalid scheduledAuditName "a b": must be 1 to 128 letters, digits, _ and -'],
  ['monthly(32)', (g) => scheduled(g, { frequency: AuditFrequency.monthly(32) }),
    '[Stack/Audit] frequency AuditFrequency.monthly: invalid dayOfMonth 32: must be a whole number from 1 to 31'],
  ['weekly(MONDAY)', (g) => scheduled(g, { frequency: AuditFrequency.weekly('MONDAY' as DayOfWeek) }),
    '[Stack/Audit] frequency AuditFrequency.weekly: invalid day "MONDAY": must be one of SUN, MON, TUE, WED, THU, FRI, SAT'],
  ['not an audit configuration', (g) => new ScheduledAudit(g.stack, 'Audit', { configuration: new Construct(g.stack, 'X'), frequency: AuditFrequency.daily() }),
    '[Stack/Audit] invalid configuration "Stack/X": must be an audit configuration'],
  ['checks of an imported configuration', (g) => new ScheduledAudit(g.stack, 'Audit', {
    configuration: Object.assign(new Construct(g.stack, 'Imported'), { accountId: '123456789012' }), frequency: AuditFrequency.daily(),
  }), '[Stack/Audit] invalid checks undefined: the checks the audit configuration Stack/Imported enables are unknown to this app'],
  ['scheduled audit without checks', (g) => scheduled(g, { checks: [] }), '[Stack/Audit] invalid checks []: must list at least one audit check'],
  ['scheduled audit, unknown check', (g) => scheduled(g, { checks: ['NOPE' as AuditCheck] }), '[Stack/Audit] invalid checks "NOPE": must be audit checks, one of '],
  ['scheduled audit, check twice', (g) => scheduled(g, { checks: [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK] }),
    '[Stack/Audit] invalid checks "LOGGING_DISABLED_CHECK": lists the check twice'],
  ['scheduled audit, check not enabled', (g) => scheduled(g, { checks: [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK] }),
    '[Stack/Audit] invalid checks ["CONFLICTING_CLIENT_IDS_CHECK"]: must be enabled in the audit configuration Stack/AuditConfiguration'],
  // AuditSuppression
  ['suppression, unknown check', (g) => suppressed(g, { check: 'NOPE' as AuditCheck }), '[Stack/S] invalid check "NOPE": must be one of '],
  ['suppression, resource of another kind', (g) => suppressed(g, { check: AuditCheck.LOGGING_DISABLED_CHECK }),
    '[Stack/S] invalid resource deviceCertificateId for check LOGGING_DISABLED_CHECK: its findings name the account'],
  ['suppression, no end', (g) => suppressed(g, { suppressIndefinitely: undefined }),
    '[Stack/S] invalid expiration/suppressIndefinitely {}: give exactly one: an expiration date, or suppressIndefinitely: true'],
  ['suppression, invalid Date', (g) => suppressed(g, { suppressIndefinitely: undefined, expiration: new Date('x') }),
    '[Stack/S] invalid expiration "Invalid Date": must be a valid Date'],
  ['suppression, past', (g) => suppressed(g, { suppressIndefinitely: undefined, expiration: new Date('2020-01-01T00:00:00Z') }),
    '[Stack/S] invalid expiration "2020-01-01T00:00:00.000Z": must be in the future'],
  ['suppression, description', (g) => suppressed(g, { description: 'line\nbreak' }), '[Stack/S] invalid description "line\\nbreak": must be '],
  ['suppression, description and marker', (g) => suppressed(g, { description: 'x'.repeat(900) }),
    '[Stack/S] invalid description "xxx'],
  ['suppression twice', (g) => {
    suppressed(g, {}); new AuditSuppression(g.stack, 'Again', {
      check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
      resource: AuditSuppressionResource.deviceCertificate('a'.repeat(64)),
      suppressIndefinitely: true,
    });
  },
  '[Stack/Again] invalid check/resource {"check":"DEVICE_CERTIFICATE_SHARED_CHECK","resource":{"deviceCertificateId":"aaa'],
  ['suppression, resource identifier', (g) => suppressed(g, { resource: AuditSuppressionResource.deviceCertificate('abc') }),
    '[Stack/S] invalid resource deviceCertificateId "abc": must be 64 characters'],
  // AuditMitigationTask and its targets
  ['audit task id', (g) => task(g, AuditMitigationTarget.auditTask('a_1')), '[Stack/Task] invalid auditTaskId "a_1": must match [a-zA-Z0-9-]{1,40}'],
  ['no finding', (g) => task(g, AuditMitigationTarget.findings([])), '[Stack/Task] invalid findingIds []: must name 1 to 4000 findings per AuditMitigationTask, got 0'],
  ['finding id', (g) => task(g, AuditMitigationTarget.findings(['a b'])), '[Stack/Task] invalid findingIds[] "a b": must match [a-zA-Z0-9_-]{1,128}'],
  ['finding twice', (g) => task(g, AuditMitigationTarget.findings(['f', 'f'])), '[Stack/Task] invalid findingIds[] "f": appears more than once'],
  ['no reason-code filter', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [])), '[Stack/Task] invalid filters []: must filter at least one check'],
  ['a check filtered twice', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, AuditCheck.CONFLICTING_CLIENT_IDS_CHECK]
    .map((check) => ({ check, reasonCodes: ['A'] })))), '[Stack/Task] invalid filters "CONFLICTING_CLIENT_IDS_CHECK": each check can be filtered once'],
  ['no reason code', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: [] }])),
    '[Stack/Task] invalid filters[CONFLICTING_CLIENT_IDS_CHECK].reasonCodes []: must list 1 to 25 reason codes, got 0'],
  ['reason code', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: ['low'] }])),
    '[Stack/Task] invalid filters[CONFLICTING_CLIENT_IDS_CHECK].reasonCodes[] "low": must match [A-Z0-9_]{1,128}'],
  ['a token check in a reason-code filter', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [{ check: param(g.stack) as AuditCheck, reasonCodes: ['A'] }])),
    '[Stack/Task] invalid filters[].check <Stack/Check.Ref>: must be an AuditCheck known at synth'],
  ['filter without a rule', (g) => task(g, AuditMitigationTarget.reasonCodes('a-1', [{ check: AuditCheck.LOGGING_DISABLED_CHECK, reasonCodes: ['A'] }])),
    '[Stack/Task] the reason-code filter selects LOGGING_DISABLED_CHECK findings, but no rule says what to do with them'],
  ['run id', (g) => task(g, AuditMitigationTarget.auditTask('a-1'), { runId: 'a b' }), '[Stack/Task] invalid runId "a b": must be 1 to 64 letters'],
  // DetectMitigation
  ['detect, 6 actions', (g) => detect(g, { actions: many(g.stack, 6, T.ADD_THINGS_TO_THING_GROUP) }),
    '[Stack/Detect] invalid actions ["Stack/N0","Stack/N1","Stack/N2","Stack/N3","Stack/N4","Stack/N5"]: must list 1 to 5 mitigation actions, got 6'],
  ['detect, action twice', (g) => detect(g, { actions: [g.quarantine, g.quarantine] }), '[Stack/Detect] invalid actions "Stack/Quarantine": lists the same action twice'],
  ['detect, action of unknown type', (g) => detect(g, { actions: [MitigationAction.fromMitigationActionName(g.stack, 'U', 'u')] }),
    '[Stack/Detect] invalid actions "Stack/U": has an unknown type'],
  ['detect, action of another type', (g) => detect(g, { actions: [g.notify] }),
    '[Stack/Detect] invalid actions "Stack/Notify (PUBLISH_FINDING_TO_SNS)": Detect alarms accept ADD_THINGS_TO_THING_GROUP actions only'],
  ['maxConcurrency', (g) => detect(g, { maxConcurrency: 1 }), '[Stack/Detect] invalid maxConcurrency 1: must be a whole number from 2 to 1000'],
  ['no behaviour', (g) => detect(g, { behaviors: [] }), '[Stack/Detect] invalid behaviors []: give at least one behaviour name, or leave it out for all'],
  ['behaviour name', (g) => detect(g, { behaviors: ['a b'] }), '[Stack/Detect] invalid behaviors[] "a b": must match [a-zA-Z0-9:_-]{1,128}'],
  // MitigationDashboard, MitigationEventBus, the task follower
  ['empty dashboard', (g) => new MitigationDashboard(g.stack, 'Dashboard'), '[Stack/Dashboard] invalid auditMitigations and detectMitigations: none given'],
  ['a mitigation twice on a dashboard', (g) => { const m = auditing(g); new MitigationDashboard(g.stack, 'Dashboard', { auditMitigations: [m, m] }); },
    '[Stack/Dashboard] Stack/Mitigation is already on the dashboard; add each mitigation once'],
  ['unused event bus', (g) => new MitigationEventBus(g.stack, 'Events'), '[Stack/Events] this MitigationEventBus is the eventBus of no mitigation construct'],
  ['too many followed constructs', (g) => {
    for (let i = 0; i < 60; i++) {
      new AuditMitigationTask(g.stack, `Task${i}`, { target: AuditMitigationTarget.findings([`f${i}`]), rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [g.notify] }] });
    }
  }, '[Stack/CdkDeviceDefenderTaskFollower] stack Stack has '],
];

describe('every refusal surfaces at synth as aws-cdk-lib\'s ValidationError, one line naming the construct', () => {
  test.each(ROWS)('%s', (_what, build, expected) => {
    // GIVEN an app with one mistake
    const g = given();
    // WHEN it is built: nothing is thrown
    expect(() => build(g)).not.toThrow();
    // THEN synthesis fails with aws-cdk-lib's ValidationError (refusalsOf checks the type), one line per problem
    const lines = refusalsOf(g.stack);
    expect(lines).toContainEqual(expect.stringContaining(expected));
    for (const line of lines) { expect(line).toMatch(/^\[[^\]]+\] [^\n]+$/); }
    expect(lines.join('\n')).not.toContain('${Token[');
  });

  test('the error is aws-cdk-lib\'s, so `Errors.isValidationError()` recognizes it', () => {
    const g = given();
    new AuditMitigation(g.stack, 'Mitigation');
    let error: unknown;
    try { (g.stack.node.root as App).synth(); } catch (e) { error = e; }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe('Validation failed with the following errors:\n'
      + '  [Stack/Mitigation] an AuditMitigation needs at least one rule (rules or addRule())');
  });
});

describe('no plain Error for user input in the constructs', () => {
  // Everything a user gives is refused through src/private/validation.ts. What may still throw: a
  // query with no construct to report on, and assertions about the library itself.
  const ALLOWED = [
    /^src\/mitigation-action\.ts: .*MitigationAction\.supportedActionTypes: unknown audit check/,
    /^src\/private\/action-types\.ts: .*internal error/,
    // A subclass of MitigationBase read a shared property before wiring its function: a library bug.
    /^src\/mitigation-base\.ts: .*internal error: the mitigation's function is not defined yet/,
  ];

  test('every `throw` in src/*.ts and src/private/*.ts is allowed', () => {
    const root = join(__dirname, '..');
    const files = [
      ...readdirSync(join(root, 'src')).filter((f) => f.endsWith('.ts')).map((f) => `src/${f}`),
      ...readdirSync(join(root, 'src/private')).filter((f) => f.endsWith('.ts')).map((f) => `src/private/${f}`),
    ];
    const throws = files.flatMap((file) => readFileSync(join(root, file), 'utf-8').split('\n')
      .filter((line) => /\bthrow\s+(new\s+\w+|\w+\s*;)/.test(line))
      .map((line) => `${file}: ${line.trim()}`));
    expect(throws.filter((t) => !ALLOWED.some((allowed) => allowed.test(t)))).toEqual([]);
    expect(throws).toHaveLength(4);
  });
});
