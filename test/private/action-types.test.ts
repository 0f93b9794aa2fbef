import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuditCheck, MitigationActionType } from '../../src';
import {
  ACTION_TYPES, detectActionTypes, grantActionType, iamActionsOf, mitigationRoleSuppressions, supportedActionTypes,
} from '../../src/private/action-types';

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

  test('every audit check supports publishing to SNS, and the lists name known checks only', () => {
    for (const check of Object.values(AuditCheck)) {
      expect(supportedActionTypes(check)).toContain(MitigationActionType.PUBLISH_FINDING_TO_SNS);
    }
    for (const type of TYPES) {
      for (const check of ACTION_TYPES[type].auditChecks) { expect(Object.values(AuditCheck)).toContain(check); }
    }
    expect(supportedActionTypes('NOT_A_CHECK' as AuditCheck)).toBeUndefined();
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
