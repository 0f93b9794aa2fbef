/**
 * The type of a mitigation action: what AWS IoT Device Defender does to the resources in a
 * finding or alarm. The values are the exact API strings.
 *
 * @see https://docs.aws.amazon.com/iot-device-defender/latest/devguide/dd-mitigation-actions.html
 */
export enum MitigationActionType {
  /** Adds the things in a finding (or a Detect alarm) to thing groups. */
  ADD_THINGS_TO_THING_GROUP = 'ADD_THINGS_TO_THING_GROUP',
  /** Enables AWS IoT logging at a chosen level. */
  ENABLE_IOT_LOGGING = 'ENABLE_IOT_LOGGING',
  /** Publishes the finding to an SNS topic. */
  PUBLISH_FINDING_TO_SNS = 'PUBLISH_FINDING_TO_SNS',
  /** Replaces a policy's default version with a blank policy. */
  REPLACE_DEFAULT_POLICY_VERSION = 'REPLACE_DEFAULT_POLICY_VERSION',
  /** Deactivates a CA certificate. */
  UPDATE_CA_CERTIFICATE = 'UPDATE_CA_CERTIFICATE',
  /** Deactivates a device certificate. */
  UPDATE_DEVICE_CERTIFICATE = 'UPDATE_DEVICE_CERTIFICATE',
}
