import type { MitigationAction } from '@aws-sdk/client-iot';

/** Which member of a mitigation action's `actionParams` names which action type. */
const PARAMS_TO_TYPE: Record<string, string> = {
  addThingsToThingGroupParams: 'ADD_THINGS_TO_THING_GROUP',
  enableIoTLoggingParams: 'ENABLE_IOT_LOGGING',
  publishFindingToSnsParams: 'PUBLISH_FINDING_TO_SNS',
  replaceDefaultPolicyVersionParams: 'REPLACE_DEFAULT_POLICY_VERSION',
  updateCACertificateParams: 'UPDATE_CA_CERTIFICATE',
  updateDeviceCertificateParams: 'UPDATE_DEVICE_CERTIFICATE',
};

/** The type of a mitigation action, from its parameters ('UNKNOWN' when it has none we know). */
export function actionTypeOf(action: MitigationAction | undefined): string {
  const key = Object.entries(action?.actionParams ?? {}).find(([, v]) => v !== undefined)?.[0];
  return (key && PARAMS_TO_TYPE[key]) ?? 'UNKNOWN';
}
