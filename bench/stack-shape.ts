/**
 * What the synth benchmark's two apps share: the stack name (the generated action names derive
 * from it), the order of the action types, and the resources no action owns. Kept apart so that
 * raw-app.ts does not even import the library.
 */

/** The stack's name in both apps. */
export const STACK_NAME = 'DeviceDefenderBench';

/** The six action types, in the order the actions cycle through them. */
export const ACTION_TYPES = [
  'ADD_THINGS_TO_THING_GROUP',
  'ENABLE_IOT_LOGGING',
  'PUBLISH_FINDING_TO_SNS',
  'REPLACE_DEFAULT_POLICY_VERSION',
  'UPDATE_CA_CERTIFICATE',
  'UPDATE_DEVICE_CERTIFICATE',
] as const;

/** Construct ids of the resources shared by all actions of a stack (not counted per action). */
export const SHARED_RESOURCE_IDS = ['Quarantine', 'Findings', 'CdkDeviceDefenderIotLoggingRole'];
