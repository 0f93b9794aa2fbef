/**
 * What the constructs and the handlers agree on about AWS Security Hub: the Device Defender products
 * whose findings are updated, who signs the notes, and the permissions (see `environment.ts`).
 */

/** AWS IoT Device Defender's products in Security Hub: audit findings, and Detect violations. */
export type DeviceDefenderProduct = 'audit' | 'detect';

/** Both products, in the order the integration turns them on. */
export const DEVICE_DEFENDER_PRODUCTS: readonly DeviceDefenderProduct[] = ['audit', 'detect'];

/** The ARN of a Device Defender product in Security Hub (AWS products have no account in their ARN). */
export function deviceDefenderProductArn(partition: string, region: string, product: DeviceDefenderProduct): string {
  return `arn:${partition}:securityhub:${region}::product/aws/iot-device-defender-${product}`;
}

/** The `ProductFields` key of an audit finding's id in Device Defender's Security Hub findings. */
export const FINDING_ID_FIELD = 'FindingId';

/** `Note.UpdatedBy` of every note the library writes: what it finds again to know a finding is done. */
export const NOTE_UPDATED_BY = 'cdk-device-defender';

/** What the roles that update findings may do, on the account's hub in one region (`hub/default`) only. */
export const UPDATE_FINDINGS_ACTIONS = ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'];

/** The workflow statuses the library never sets: a role that updates findings is denied them. */
export const WORKFLOW_STATUSES_NEVER_SET = ['NEW', 'RESOLVED', 'SUPPRESSED'];

/** The condition key of the workflow status a BatchUpdateFindings request sets. */
export const WORKFLOW_STATUS_CONDITION_KEY = 'securityhub:ASFFSyntaxPath/Workflow.Status';

/**
 * What turning on Device Defender's integration needs in Security Hub (which products are on, and
 * "Accept findings" for one): IAM authorizes both against the account's hub (`hub/default`) only.
 */
export const ENABLE_INTEGRATION_ACTIONS = ['securityhub:ListEnabledProductsForImport', 'securityhub:EnableImportFindingsForProduct'];
