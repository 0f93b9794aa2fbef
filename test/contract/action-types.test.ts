import { MitigationActionParams } from '@aws-sdk/client-iot';
import { ACTION_TYPES, ActionParamsMember, UNKNOWN_ACTION_TYPE, actionTypeOf } from '../../src/contract/action-types';
import { MitigationActionType } from '../../src/mitigation-action-type';
import { DEFAULT_ACCOUNT } from '../emulator/identity';
import { DETECT_ACTION_TYPES, MITIGATION_ACTION_TYPES } from '../emulator/iot-model';
import { defaultActionParams } from '../emulator/iot-state';

const SCOPE = { account: DEFAULT_ACCOUNT, region: 'eu-west-1' };

// The IoT emulator stands for AWS: its lists are written from the AWS IoT API model and the Device
// Defender guide, apart from the library. These tests hold the library's table to them.

const TYPES = Object.values(MitigationActionType);

describe('the action type table', () => {
  test('has an entry for every MitigationActionType, and MitigationActionType has exactly the types AWS IoT (the emulator) knows', () => {
    expect(Object.keys(ACTION_TYPES)).toEqual(TYPES);
    expect([...TYPES].sort()).toEqual([...MITIGATION_ACTION_TYPES].sort());
    for (const [key, value] of Object.entries(MitigationActionType)) { expect(key).toBe(value); }
  });

  test.each(TYPES)('%s: its actionParams member is the API\'s (the emulator\'s)', (type) => {
    expect(Object.keys(defaultActionParams(type, SCOPE))).toEqual([ACTION_TYPES[type].actionParamsMember]);
  });

  test('every actionParams member is one of the AWS SDK\'s MitigationActionParams, each type its own', () => {
    // Compiles only while every member is a key of the SDK's type.
    const members: ReadonlyArray<keyof MitigationActionParams> = TYPES.map((type) => ACTION_TYPES[type].actionParamsMember as ActionParamsMember);
    expect(new Set(members).size).toBe(TYPES.length);
  });

  test('Detect accepts the types AWS IoT (the emulator) accepts for StartDetectMitigationActionsTask', () => {
    expect(TYPES.filter((type) => ACTION_TYPES[type].detect)).toEqual(DETECT_ACTION_TYPES);
  });

  test('each CloudFormation property is its own', () => {
    expect(new Set(TYPES.map((type) => ACTION_TYPES[type].cloudFormationProperty)).size).toBe(TYPES.length);
  });

  test.each(TYPES)('%s: undo\'s rule agrees with what the type changes', (type) => {
    const { undo, changes } = ACTION_TYPES[type];
    switch (undo.kind) {
      case 'reactivate-certificate': expect(undo.certificate).toBe(changes); break;
      case 'remove-things-from-groups': expect(changes).toBe('deviceCertificateId'); break;
      case 'restore-default-policy-version': expect(changes).toBe('policyVersionIdentifier'); break;
      case 'cannot-undo': expect(undo.why.length).toBeGreaterThan(20); break;
    }
  });
});

describe('actionTypeOf', () => {
  test.each(TYPES)('an action with the %s member is of that type', (type) => {
    expect(actionTypeOf({ actionParams: defaultActionParams(type, SCOPE) })).toBe(type);
  });

  test.each([
    ['a member this version does not know', { actionParams: { quarantineDeviceParams: {} } }],
    ['no member', { actionParams: {} }],
    ['no actionParams', {}],
    ['no action', undefined],
  ])('is undefined for %s', (_what, action) => {
    expect(actionTypeOf(action)).toBeUndefined();
  });

  test('reads the member that is set, not one the SDK left undefined', () => {
    expect(actionTypeOf({ actionParams: { updateDeviceCertificateParams: undefined, updateCACertificateParams: { action: 'DEACTIVATE' } } }))
      .toBe(MitigationActionType.UPDATE_CA_CERTIFICATE);
  });

  test('what the CLI and the task outcome print for an unknown type is no type\'s name', () => {
    expect(UNKNOWN_ACTION_TYPE).toBe('UNKNOWN');
    expect(TYPES).not.toContain(UNKNOWN_ACTION_TYPE);
  });
});
