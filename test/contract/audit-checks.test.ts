import { AuditCheck } from '../../src/audit-check';
import { ACTION_TYPES } from '../../src/contract/action-types';
import { AUDIT_CHECKS, isAuditCheck, undoRefusedChecks } from '../../src/contract/audit-checks';
import { MitigationActionType } from '../../src/mitigation-action-type';
import { AUDIT_CHECK_NAMES, CHECK_ALLOWED_ACTION_TYPES, RESOURCE_IDENTIFIER_MEMBERS } from '../emulator/iot-model';
import { validateTemplateJson } from '../util/cfn-validate';

// The IoT emulator stands for AWS: its lists are written from the AWS IoT API model and the Device
// Defender guide, apart from the library. These tests hold the library's table to them.

const CHECKS = Object.values(AuditCheck);

/** An account audit configuration enabling the checks under `properties`, as a template. */
const auditConfigurationTemplate = (properties: string[]) => ({
  Parameters: { AuditRoleArn: { Type: 'String' } },
  Resources: {
    Audit: {
      Type: 'AWS::IoT::AccountAuditConfiguration',
      Properties: {
        AccountId: { Ref: 'AWS::AccountId' },
        RoleArn: { Ref: 'AuditRoleArn' },
        AuditCheckConfigurations: Object.fromEntries(properties.map((property) => [property, { Enabled: true }])),
      },
    },
  },
});

describe('the audit check table', () => {
  test('has an entry for every AuditCheck, and AuditCheck has exactly the checks AWS IoT (the emulator) knows', () => {
    expect(Object.keys(AUDIT_CHECKS)).toEqual(CHECKS);
    expect([...CHECKS].sort()).toEqual([...AUDIT_CHECK_NAMES].sort());
    for (const [key, value] of Object.entries(AuditCheck)) { expect(key).toBe(value); }
  });

  test.each(CHECKS)('%s: the action types are the ones AWS IoT (the emulator) accepts, in its order', (check) => {
    expect(AUDIT_CHECKS[check].actionTypes).toEqual(CHECK_ALLOWED_ACTION_TYPES[check]);
  });

  test('every check accepts PUBLISH_FINDING_TO_SNS, and lists each type once', () => {
    for (const check of CHECKS) {
      const types = AUDIT_CHECKS[check].actionTypes;
      expect(types).toContain(MitigationActionType.PUBLISH_FINDING_TO_SNS);
      expect(new Set(types).size).toBe(types.length);
    }
  });

  test('each CloudFormation property is one AWS::IoT::AccountAuditConfiguration has (AWS\'s CloudFormation validator), each check its own', () => {
    const properties = CHECKS.map((check) => AUDIT_CHECKS[check].cloudFormationProperty);
    expect(new Set(properties).size).toBe(CHECKS.length);
    const problems = validateTemplateJson(auditConfigurationTemplate(properties)).filter((f) => f.severity === 'ERROR' || f.severity === 'FATAL');
    expect(problems).toEqual([]);
  });

  test('the validator does find a property AWS::IoT::AccountAuditConfiguration does not have', () => {
    const findings = validateTemplateJson(auditConfigurationTemplate(['IotPolicyPotentialMisConfigurationCheck']));
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'F3002', message: expect.stringMatching(/IotPolicyPotentialMisConfigurationCheck/) }));
  });

  test('the findings of the checks name exactly the members of the API\'s ResourceIdentifier (the emulator\'s)', () => {
    const named = new Set(CHECKS.flatMap((check) => AUDIT_CHECKS[check].findingResources));
    expect([...named].sort()).toEqual([...RESOURCE_IDENTIFIER_MEMBERS].sort());
  });

  test.each(CHECKS)('%s: its findings name what each action type it accepts changes', (check) => {
    for (const type of AUDIT_CHECKS[check].actionTypes) {
      const changes = ACTION_TYPES[type].changes;
      if (changes !== undefined) { expect(AUDIT_CHECKS[check].findingResources).toContain(changes); }
    }
  });

  test('undo refuses to reactivate the certificates of exactly the revocation and key-quality checks, each with its reason', () => {
    expect(undoRefusedChecks()).toEqual([
      AuditCheck.CA_CERTIFICATE_KEY_QUALITY_CHECK,
      AuditCheck.DEVICE_CERTIFICATE_KEY_QUALITY_CHECK,
      AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK,
      AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK,
      AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK,
    ]);
    for (const check of undoRefusedChecks()) {
      expect(AUDIT_CHECKS[check].undoRefusal).toMatch(/^the audit found .{10,}/);
      // A refusal only matters where a mitigation of the check's findings deactivates a certificate.
      expect(AUDIT_CHECKS[check].actionTypes.some((type) => ACTION_TYPES[type].undo.kind === 'reactivate-certificate')).toBe(true);
    }
  });

  test.each<[string, boolean]>([
    ...CHECKS.map((check): [string, boolean] => [check, true]),
    ['REVOKED_CA_CERT_CHECK', false],
    ['toString', false],
    ['', false],
  ])('isAuditCheck(%j) is %s', (value, expected) => {
    expect(isAuditCheck(value)).toBe(expected);
  });
});
