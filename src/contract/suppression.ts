/**
 * Audit suppressions: the ownership marker the `AuditSuppression` handler appends to a
 * suppression's description, and the AWS IoT API's rules for the suppression strings, which the
 * construct checks at synthesis and the handler and the CLI check again. Part of the contract
 * between the constructs and the handlers (see `environment.ts`).
 */

/**
 * The ownership marker at the end of a suppression's description:
 * `[cdk-device-defender:<stack id>/<logical id>]`, after the user's description and one space. It
 * names the one `AuditSuppression` resource that manages the suppression. ` pending` before the `]`:
 * taken over from another resource of the same stack (a construct moved to a new logical id) in a
 * deployment whose cleanup has not run yet, so a rollback hands it back.
 */
export const SUPPRESSION_MARKER = { PREFIX: '[cdk-device-defender:', PENDING: ' pending', SUFFIX: ']' } as const;

/** Who a suppression's marker names. */
export interface SuppressionOwner {
  /** The CloudFormation stack id (its ARN). */
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** Taken over from a sibling whose Delete has not confirmed it yet (see `SUPPRESSION_MARKER`). */
  readonly pending: boolean;
}

const MARKER = /^(?:(.*) )?\[cdk-device-defender:(arn:[^\s[\]]+)\/([A-Za-z0-9]{1,255})( pending)?\]$/s;

/** A description as the handler writes it: the user's description (if any), a space, the marker naming `owner`. */
export function withSuppressionMarker(description: string | undefined, owner: SuppressionOwner): string {
  const { PREFIX, PENDING, SUFFIX } = SUPPRESSION_MARKER;
  const marker = `${PREFIX}${owner.stackId}/${owner.logicalResourceId}${owner.pending ? PENDING : ''}${SUFFIX}`;
  return description ? `${description} ${marker}` : marker;
}

/** A description split into the user's text and its owner (undefined without a marker: made by hand, or before markers). */
export function parseSuppressionDescription(description: string | undefined): { readonly text: string; readonly owner?: SuppressionOwner } {
  const match = MARKER.exec(description ?? '');
  if (!match) { return { text: description ?? '' }; }
  return { text: match[1] ?? '', owner: { stackId: match[2], logicalResourceId: match[3], pending: match[4] !== undefined } };
}

/** The most characters the marker and its space add, for a stack id and a logical id of these lengths. */
export function suppressionMarkerOverhead(stackIdLength: number, logicalIdLength: number): number {
  const { PREFIX, PENDING, SUFFIX } = SUPPRESSION_MARKER;
  return ' '.length + PREFIX.length + stackIdLength + '/'.length + logicalIdLength + PENDING.length + SUFFIX.length;
}

/** A rule of the API model for one string: length (in characters) and pattern. */
export interface StringRule {
  readonly min: number;
  readonly max: number;
  readonly pattern?: RegExp;
  /** What is allowed, in words, for error messages. */
  readonly allowed: string;
}

/**
 * Printable characters, as the model's `[\p{Graph}\x20]*` means them (Java's POSIX classes are
 * ASCII): a space and `!` to `~`.
 */
const PRINTABLE = /^[\x20-\x7E]*$/;

/** The AWS IoT API's rules for the audit suppression strings (https://docs.aws.amazon.com/iot/latest/apireference/API_ResourceIdentifier.html). */
export const AUDIT_SUPPRESSION_RULES = {
  /** CertificateId: 64 characters, hexadecimal, with an optional `0x` (then 62 hex digits). */
  certificateId: { min: 64, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '64 characters: hexadecimal digits, optionally after "0x"' },
  // The model sets no length or pattern for these two: only that they are not empty.
  cognitoIdentityPoolId: { min: 1, max: 2048, allowed: 'a non-empty identity pool id' },
  clientId: { min: 1, max: 2048, allowed: 'a non-empty client id' },
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, allowed: '1 to 128 letters, digits and + = , . @ _ -' },
  policyVersionId: { min: 1, max: 16, pattern: /^[0-9]+$/, allowed: 'a version number (digits)' },
  account: { min: 12, max: 12, pattern: /^[0-9]+$/, allowed: '12 digits' },
  iamRoleArn: { min: 20, max: 2048, allowed: 'an IAM role ARN of 20 to 2048 characters' },
  roleAliasArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: 'a role alias ARN (arn:...) of 1 to 2048 characters' },
  issuerCertificateSubject: { min: 1, max: 1000, pattern: PRINTABLE, allowed: '1 to 1000 printable characters' },
  issuerId: { min: 1, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '1 to 64 characters: hexadecimal digits, optionally after "0x"' },
  issuerCertificateSerialNumber: { min: 1, max: 20, pattern: /^[a-fA-F0-9:]+$/, allowed: '1 to 20 hexadecimal digits and ":"' },
  deviceCertificateArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: 'a certificate ARN (arn:...)' },
  description: { min: 0, max: 1000, pattern: PRINTABLE, allowed: 'at most 1000 printable ASCII characters' },
} as const satisfies Record<string, StringRule>;

/** Why `value` breaks `rule`, or undefined when it does not. */
export function stringRuleProblem(value: string, rule: StringRule): string | undefined {
  const length = [...value].length;
  if (length < rule.min || length > rule.max || (rule.pattern && !rule.pattern.test(value))) {
    return `must be ${rule.allowed}`;
  }
  return undefined;
}
