import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AuditCheck, LogLevel, MitigationAction, MitigationActionParams, MitigationActionType } from '../../src';
import { ACTION_TYPES as CONTRACT } from '../../src/contract/action-types';
import { AUDIT_CHECKS } from '../../src/contract/audit-checks';
import {
  ACTION_TYPES, detectActionTypes, grantActionType, iamActionsOf, mitigationRoleSuppressions, supportedActionTypes,
} from '../../src/private/action-types';
import { expectValidTemplate } from '../util/cfn-validate';

const TYPES = Object.values(MitigationActionType);

describe('the action type table', () => {
  test('has an entry for every MitigationActionType and nothing else', () => {
    expect(Object.keys(ACTION_TYPES).sort()).toEqual([...TYPES].sort());
  });

  test.each([
    [MitigationActionType.ADD_THINGS_TO_THING_GROUP, ['iot:ListPrincipalThings', 'iot:AddThingToThingGroup']],
    [MitigationActionType.ENABLE_IOT_LOGGING, ['iot:SetV2LoggingOptions', 'iam:PassRole']],
    [MitigationActionType.PUBLISH_FINDING_TO_SNS, ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt']],
    [MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION, ['iot:CreatePolicyVersion']],
    [MitigationActionType.UPDATE_CA_CERTIFICATE, ['iot:UpdateCACertificate']],
    [MitigationActionType.UPDATE_DEVICE_CERTIFICATE, ['iot:UpdateCertificate']],
  ])('%s needs %j', (type, actions) => {
    expect(iamActionsOf(type)).toEqual(actions);
  });

  test.each(TYPES)('the cdk-nag suppression of a %s role covers exactly the wildcards of its statements', (type) => {
    // GIVEN the wildcards the entry grants: iot `<type>/*` resources and `*`
    const wildcards = ACTION_TYPES[type].statements.flatMap((s) => s.resources).filter((r) => r.kind !== 'given');
    // WHEN the suppressions are derived
    const suppressions = mitigationRoleSuppressions(type);
    // THEN there is one AwsSolutions-IAM5 suppression with a reason exactly when there are wildcards
    if (wildcards.length === 0) {
      expect(suppressions).toEqual([]);
    } else {
      expect(suppressions).toHaveLength(1);
      expect(suppressions[0].id).toBe('AwsSolutions-IAM5');
      expect(suppressions[0].reason.length).toBeGreaterThan(20);
      expect(suppressions[0].appliesToRegex).toHaveLength(new Set(wildcards.map((w) => w.kind === 'iot' ? w.resourceType : '*')).size);
    }
  });

  test('every audit check supports publishing to SNS, and the lists name known types only', () => {
    for (const check of Object.values(AuditCheck)) {
      expect(supportedActionTypes(check)).toContain(MitigationActionType.PUBLISH_FINDING_TO_SNS);
      for (const type of supportedActionTypes(check)!) { expect(TYPES).toContain(type); }
    }
    expect(supportedActionTypes('NOT_A_CHECK' as AuditCheck)).toBeUndefined();
  });

  test.each(Object.values(AuditCheck))('supportedActionTypes(%s) is the contract\'s list, as a copy', (check) => {
    expect(supportedActionTypes(check)).toEqual(AUDIT_CHECKS[check].actionTypes);
    expect(supportedActionTypes(check)).not.toBe(AUDIT_CHECKS[check].actionTypes);
  });

  test('Detect accepts ADD_THINGS_TO_THING_GROUP only', () => {
    expect(detectActionTypes()).toEqual([MitigationActionType.ADD_THINGS_TO_THING_GROUP]);
  });

  test('binding a type without a value its statements name is an internal error', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    expect(() => grantActionType(stack, role, MitigationActionType.ADD_THINGS_TO_THING_GROUP, {}))
      .toThrow(/Stack: internal error: a ADD_THINGS_TO_THING_GROUP action was bound without thingGroups/);
  });
});

/** The required options of each type's factory, and only those. */
function requiredOptions(stack: Stack): Record<MitigationActionType, object | undefined> {
  return {
    [MitigationActionType.ADD_THINGS_TO_THING_GROUP]: { thingGroups: [new iot.CfnThingGroup(stack, 'Group', { thingGroupName: 'quarantine' })] },
    [MitigationActionType.ENABLE_IOT_LOGGING]: { logLevel: LogLevel.ERROR },
    [MitigationActionType.PUBLISH_FINDING_TO_SNS]: { topic: new sns.Topic(stack, 'Topic', { enforceSSL: true }) },
    [MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION]: undefined,
    [MitigationActionType.UPDATE_CA_CERTIFICATE]: undefined,
    [MitigationActionType.UPDATE_DEVICE_CERTIFICATE]: undefined,
  };
}

describe('the factory of each type (the README\'s table)', () => {
  test.each(TYPES)('%s: the factory the entry names, given the options it names, defines an action of the type, under the contract\'s '
    + 'CloudFormation property', (type) => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const options = requiredOptions(stack)[type];
    const [, name, named] = /^(\w+)\((?:\{ ([\w, ]+) \})?\)$/.exec(ACTION_TYPES[type].factory) ?? [];
    expect(named?.split(', ') ?? []).toEqual(Object.keys(options ?? {}));
    // WHEN
    const params = (MitigationActionParams as unknown as Record<string, (o?: object) => MitigationActionParams>)[name](options);
    new MitigationAction(stack, 'Action', { actionParams: params });
    // THEN
    expect(params.actionType).toBe(type);
    const [action] = Object.values(Template.fromStack(stack).findResources('AWS::IoT::MitigationAction'));
    expect(Object.keys(action.Properties.ActionParams)).toEqual([CONTRACT[type].cloudFormationProperty]);
    expectValidTemplate(stack);
  });
});
