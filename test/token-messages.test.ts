import { App, Aws, CfnParameter, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, DetectMitigation,
  MitigationAction, MitigationActionParams, MitigationActionType, ScheduledAudit,
} from '../src';
import { refusalsOf } from './util/refusals';
import { describeValue } from '../src/private/validation';

// Messages print what the user can find in their app: a token (a CfnParameter, an L1's Ref or
// attribute, an import) as the construct that produced it, `<path.Ref>`, or `<token>`; never the
// `${Token[TOKEN.39]}` placeholder. One test per list-valued prop, with tokens in the list.

const ENV = { account: '123456789012', region: 'eu-west-1' };

function stackOf(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

/** The refusals of the stack's app, checked to name no token placeholder. */
function refusals(stack: Stack): string[] {
  const lines = refusalsOf(stack);
  expect(lines.join('\n')).not.toMatch(/\$\{Token\[|#\{Token\[|-1\.8881545897087\d*e\+289/);
  return lines;
}

const param = (stack: Stack, id: string) => new CfnParameter(stack, id).valueAsString;
const importedActions = (stack: Stack, n: number, actionType: MitigationActionType) => Array.from({ length: n }, (_, i) =>
  MitigationAction.fromMitigationActionAttributes(stack, `N${i}`, { mitigationActionArn: Fn.importValue(`action-${i}`), actionType }));

describe('describeValue', () => {
  test.each([
    ['a literal string', () => 'quarantine', '"quarantine"'],
    ['a list', () => ['a', 'b'], '["a","b"]'],
    ['a number', () => 3, '3'],
    ['undefined', () => undefined, 'undefined'],
    ['a CfnParameter', (s: Stack) => param(s, 'Name'), '<Stack/Name.Ref>'],
    ['an L1\'s Ref', (s: Stack) => new iot.CfnThingGroup(s, 'Group', {}).ref, '<Stack/Group.Ref>'],
    ['an L1\'s attribute', (s: Stack) => new iot.CfnThingGroup(s, 'Group', {}).attrArn, '<Stack/Group.Arn>'],
    ['an L2\'s attribute', (s: Stack) => new sns.Topic(s, 'Topic').topicArn, '<Stack/Topic/Resource.Ref>'],
    ['a token inside a string', (s: Stack) => `group-${param(s, 'Suffix')}-x`, '"group-<Stack/Suffix.Ref>-x"'],
    ['an import', () => Fn.importValue('x'), '<token>'],
    ['a pseudo parameter', () => Aws.REGION, '<token>'],
    ['a Lazy string', () => Lazy.string({ produce: () => 'x' }), '<token>'],
    ['a number token', (s: Stack) => new CfnParameter(s, 'Days', { type: 'Number' }).valueAsNumber, '<Stack/Days.Ref>'],
    ['a list token', (s: Stack) => new CfnParameter(s, 'Names', { type: 'CommaDelimitedList' }).valueAsList, '<Stack/Names.Ref>'],
    ['a list with a token', (s: Stack) => ['a', param(s, 'Name')], '["a",<Stack/Name.Ref>]'],
    ['an object', (s: Stack) => ({ check: 'C', resource: { clientId: param(s, 'Client') }, skipped: undefined }), '{"check":"C","resource":{"clientId":<Stack/Client.Ref>}}'],
    ['a Date', () => new Date('2030-01-01T00:00:00Z'), '"2030-01-01T00:00:00.000Z"'],
  ])('%s', (_what, value, expected) => {
    expect(describeValue(value(stackOf()))).toBe(expected);
  });
});

describe('a list prop with tokens in it: the message names what produced each token', () => {
  test('thingGroups: eleven thing groups named by CloudFormation', () => {
    const stack = stackOf();
    const groups = Array.from({ length: 11 }, (_, i) => new iot.CfnThingGroup(stack, `G${i}`, {}));
    new MitigationAction(stack, 'Action', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: groups }) });
    expect(refusals(stack)).toContain(`[Stack/Action] invalid thingGroups [${groups.map((_, i) => `<Stack/G${i}.Ref>`).join(',')}]: `
      + 'must name 1 to 10 thing groups, got 11');
  });

  test('thingGroups: the same group twice', () => {
    const stack = stackOf();
    const group = new iot.CfnThingGroup(stack, 'G', {});
    const named = iot.CfnThingGroup.fromThingGroupName(stack, 'Named', param(stack, 'GroupName'));
    new MitigationAction(stack, 'Action', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group, named, group] }) });
    expect(refusals(stack)).toEqual(['[Stack/Action] invalid thingGroups [<Stack/G.Ref>,<Stack/GroupName.Ref>,<Stack/G.Ref>]: '
      + 'must be distinct thing groups, <Stack/G.Ref> appears more than once']);
  });

  test('AuditConfiguration checks', () => {
    const stack = stackOf();
    new AuditConfiguration(stack, 'AuditConfiguration', { checks: [AuditCheck.LOGGING_DISABLED_CHECK, param(stack, 'Check') as AuditCheck] });
    expect(refusals(stack)).toEqual([expect.stringMatching(/^\[Stack\/AuditConfiguration\] invalid checks <Stack\/Check\.Ref>: must be audit checks, one of /)]);
  });

  test('ScheduledAudit checks', () => {
    const stack = stackOf();
    const configuration = new AuditConfiguration(stack, 'AuditConfiguration', { checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
    new ScheduledAudit(stack, 'Audit', {
      configuration, frequency: AuditFrequency.daily(), checks: [param(stack, 'Check') as AuditCheck, AuditCheck.CONFLICTING_CLIENT_IDS_CHECK],
    });
    expect(refusals(stack)).toEqual([
      expect.stringMatching(/^\[Stack\/Audit\] invalid checks <Stack\/Check\.Ref>: must be audit checks, one of /),
      '[Stack/Audit] invalid checks ["CONFLICTING_CLIENT_IDS_CHECK"]: must be enabled in the audit configuration Stack/AuditConfiguration; '
      + 'add them to its checks, or leave them out of this audit',
    ]);
  });

  test('rules: a token check, and six actions imported by token ARNs', () => {
    const stack = stackOf();
    const actions = importedActions(stack, 6, MitigationActionType.PUBLISH_FINDING_TO_SNS);
    new AuditMitigation(stack, 'Mitigation', {
      rules: [{ check: param(stack, 'Check') as AuditCheck, actions: [actions[0]] }, { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions }],
    });
    expect(refusals(stack)).toEqual([
      expect.stringMatching(/^\[Stack\/Mitigation\] unknown audit check <Stack\/Check\.Ref>: must be one of /),
      '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: needs 1 to 5 actions, got 6: Stack/N0, Stack/N1, Stack/N2, Stack/N3, Stack/N4, Stack/N5',
    ]);
  });

  test('scheduledAudits: one named by a token, and something that is no scheduled audit', () => {
    const stack = stackOf();
    const imported = iot.CfnScheduledAudit.fromScheduledAuditName(stack, 'Imported', param(stack, 'AuditName'));
    new AuditMitigation(stack, 'Mitigation', {
      scheduledAudits: [imported, new Construct(stack, 'NotAnAudit')],
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: importedActions(stack, 1, MitigationActionType.PUBLISH_FINDING_TO_SNS) }],
    });
    expect(refusals(stack)).toEqual([expect.stringMatching(/^\[Stack\/Mitigation\] invalid scheduledAudits "Stack\/NotAnAudit": must be a scheduled audit/)]);
  });

  test('DetectMitigation actions imported by token ARNs', () => {
    const stack = stackOf();
    new DetectMitigation(stack, 'Detect', {
      securityProfile: new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'p' }),
      actions: importedActions(stack, 6, MitigationActionType.ADD_THINGS_TO_THING_GROUP),
    });
    expect(refusals(stack)).toEqual(['[Stack/Detect] invalid actions ["Stack/N0","Stack/N1","Stack/N2","Stack/N3","Stack/N4","Stack/N5"]: '
      + 'must list 1 to 5 mitigation actions, got 6']);
  });

  test('DetectMitigation behaviors: a token is not checked, the rest are', () => {
    const stack = stackOf();
    const quarantine = importedActions(stack, 1, MitigationActionType.ADD_THINGS_TO_THING_GROUP);
    new DetectMitigation(stack, 'Detect', {
      securityProfile: new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'p' }),
      actions: quarantine,
      behaviors: [param(stack, 'Behavior'), 'no spaces'],
    });
    expect(refusals(stack)).toEqual(['[Stack/Detect] invalid behaviors[] "no spaces": must match [a-zA-Z0-9:_-]{1,128}']);
  });

  function task(stack: Stack, target: AuditMitigationTarget) {
    new AuditMitigationTask(stack, 'Task', {
      target,
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: importedActions(stack, 1, MitigationActionType.PUBLISH_FINDING_TO_SNS) }],
    });
  }

  test('findingIds: a token finding given twice; a token list is not checked', () => {
    const stack = stackOf();
    const finding = param(stack, 'Finding');
    task(stack, AuditMitigationTarget.findings([finding, 'f-1', finding]));
    expect(refusals(stack)).toEqual(['[Stack/Task] invalid findingIds[] <Stack/Finding.Ref>: appears more than once']);
    const listed = stackOf();
    task(listed, AuditMitigationTarget.findings(Token.asList(new CfnParameter(listed, 'Findings', { type: 'CommaDelimitedList' }).valueAsList)));
    expect(() => Template.fromStack(listed)).not.toThrow();
  });

  test('reason codes: a token check, and 26 codes with a token among them', () => {
    const stack = stackOf();
    const codes = [param(stack, 'Code'), ...Array.from({ length: 25 }, (_, i) => `CODE_${i}`)];
    task(stack, AuditMitigationTarget.reasonCodes('audit-1', [
      { check: param(stack, 'Check') as AuditCheck, reasonCodes: [] },
      { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: codes },
    ]));
    // A token check cannot be a key of the filter: refused, where it used to fail resolution with a ${Token[...]} key.
    expect(refusals(stack)).toEqual([
      '[Stack/Task] invalid filters[].check <Stack/Check.Ref>: must be an AuditCheck known at synth: the checks are the keys of the task\'s '
      + 'reason-code filter',
      `[Stack/Task] invalid filters[CONFLICTING_CLIENT_IDS_CHECK].reasonCodes [<Stack/Code.Ref>,${codes.slice(1).map((c) => `"${c}"`).join(',')}]: `
      + 'must list 1 to 25 reason codes, got 26',
    ]);
  });
});

describe('the mitigation action name message', () => {
  test.each([
    ['a space', 'bad name', false],
    ['a colon', 'bad:name', true],
  ])('mentions colons only for a name with one: %s', (_what, name, mentionsColons) => {
    const stack = stackOf();
    new MitigationAction(stack, 'Action', { mitigationActionName: name, actionParams: MitigationActionParams.updateCaCertificate() });
    const [line] = refusals(stack);
    expect(line).toBe(`[Stack/Action] invalid mitigationActionName ${JSON.stringify(name)}: must be 1 to 128 characters from [a-zA-Z0-9_-]`
      + (mentionsColons ? ' (CloudFormation allows colons, but the AWS IoT API does not)' : ''));
  });
});
