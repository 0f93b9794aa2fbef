import type { ResourceIdentifier } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AUDIT_SUPPRESSION_PROPS as P } from '../../contract/custom-resources';
import { AUDIT_SUPPRESSION_RULES as RULES, StringRule, stringRuleProblem } from '../../contract/suppression';
import { canonicalJson, sha256Hex } from '../shared/ids';

// The AuditSuppression custom resource's decisions, pure: what a request asks for. The handler
// (audit-suppression.lambda.ts) does the I/O.

/** The custom resource's properties, validated. */
export interface SuppressionProps {
  readonly checkName: string;
  readonly resourceIdentifier: ResourceIdentifier;
  /** Set exactly when `suppressIndefinitely` is false. */
  readonly expirationDate?: Date;
  readonly suppressIndefinitely: boolean;
  readonly description?: string;
}

/** What the handler does for one request. */
export type SuppressionPlan =
  /**
   * Create, or an Update that changes the check or the resource (CloudFormation then deletes the
   * old one). `released`: for such an Update, the description a release before ownership markers
   * would have written for these properties (a rollback across the upgrade finds it so).
   */
  | { readonly kind: 'create'; readonly physicalResourceId: string; readonly clientRequestToken: string; readonly props: SuppressionProps; readonly released?: string }
  /**
   * Update of the same check and resource: change the expiry and description in place, keeping the
   * physical id. `released`: the description this resource wrote before ownership markers (its old
   * properties' description, or '').
   */
  | { readonly kind: 'update'; readonly physicalResourceId: string; readonly clientRequestToken: string; readonly props: SuppressionProps; readonly released: string }
  /**
   * Delete of a suppression this resource created or took over (`adoptedFrom`: the sibling it took
   * it over from, which a rollback hands it back to).
   */
  | { readonly kind: 'delete'; readonly physicalResourceId: string; readonly props: SuppressionProps; readonly adoptedFrom?: string }
  /** Delete of a resource whose physical id the handler never issued (a failed Create): nothing to do. */
  | { readonly kind: 'nothing-to-delete'; readonly physicalResourceId: string; readonly reason: string };

const CHECK_NAME = /^[A-Z0-9_]{1,128}$/;

/** A property error: names the property, the value and what is allowed. */
function invalid(prop: string, value: unknown, allowed: string): never {
  throw new Error(`invalid ${prop} ${JSON.stringify(value)}: ${allowed}`);
}

function str(prop: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') { return invalid(prop, value, `must be a string (${rule.allowed})`); }
  const problem = stringRuleProblem(value, rule);
  if (problem) { invalid(prop, value, problem); }
  return value;
}

function record(prop: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) { return invalid(prop, value, 'must be an object'); }
  return value as Record<string, unknown>;
}

const SIMPLE_MEMBERS = ['deviceCertificateId', 'caCertificateId', 'cognitoIdentityPoolId', 'clientId', 'account', 'iamRoleArn',
  'roleAliasArn', 'deviceCertificateArn'] as const;
const RULE_OF: Record<typeof SIMPLE_MEMBERS[number], StringRule> = {
  deviceCertificateId: RULES.certificateId,
  caCertificateId: RULES.certificateId,
  cognitoIdentityPoolId: RULES.cognitoIdentityPoolId,
  clientId: RULES.clientId,
  account: RULES.account,
  iamRoleArn: RULES.iamRoleArn,
  roleAliasArn: RULES.roleAliasArn,
  deviceCertificateArn: RULES.deviceCertificateArn,
};

/** The members that are structures: each part with its rule, checked in this order. */
const NESTED_MEMBERS: Record<string, Record<string, StringRule>> = {
  policyVersionIdentifier: { policyName: RULES.policyName, policyVersionId: RULES.policyVersionId },
  issuerCertificateIdentifier: {
    issuerCertificateSubject: RULES.issuerCertificateSubject,
    issuerId: RULES.issuerId,
    issuerCertificateSerialNumber: RULES.issuerCertificateSerialNumber,
  },
};
const ALL_MEMBERS = [...SIMPLE_MEMBERS, ...Object.keys(NESTED_MEMBERS)];

/** A ResourceIdentifier with exactly one member, each part as the API model allows it. */
export function parseResourceIdentifier(value: unknown): ResourceIdentifier {
  const id = record(P.RESOURCE_IDENTIFIER, value);
  const members = Object.keys(id);
  if (members.length !== 1 || !ALL_MEMBERS.includes(members[0])) {
    return invalid(P.RESOURCE_IDENTIFIER, value, `must have exactly one of ${ALL_MEMBERS.join(', ')}`);
  }
  const [member] = members;
  const prop = `${P.RESOURCE_IDENTIFIER}.${member}`;
  const nested = NESTED_MEMBERS[member];
  if (nested) {
    const parts = record(prop, id[member]);
    const checked = Object.entries(nested).map(([part, rule]) => [part, str(`${prop}.${part}`, parts[part], rule)]);
    return { [member]: Object.fromEntries(checked) };
  }
  return { [member]: str(prop, id[member], RULE_OF[member as typeof SIMPLE_MEMBERS[number]]) };
}

/**
 * Parses and validates the resource's properties (every value arrives as a string). Exactly one
 * of ExpirationDate and SuppressIndefinitely 'true'. Throws, naming the property, otherwise.
 */
export function parseSuppressionProps(properties: Record<string, unknown>): SuppressionProps {
  const checkName = properties[P.CHECK_NAME];
  if (typeof checkName !== 'string' || !CHECK_NAME.test(checkName)) {
    invalid(P.CHECK_NAME, checkName, 'must be an audit check name (e.g. DEVICE_CERTIFICATE_SHARED_CHECK)');
  }
  const resourceIdentifier = parseResourceIdentifier(properties[P.RESOURCE_IDENTIFIER]);
  const indefinitely = properties[P.SUPPRESS_INDEFINITELY] ?? 'false';
  if (indefinitely !== 'true' && indefinitely !== 'false') { invalid(P.SUPPRESS_INDEFINITELY, indefinitely, "must be 'true' or 'false'"); }
  const suppressIndefinitely = indefinitely === 'true';
  const expiration = properties[P.EXPIRATION_DATE];
  let expirationDate: Date | undefined;
  if (expiration !== undefined) {
    expirationDate = typeof expiration === 'string' ? new Date(expiration) : undefined;
    if (!expirationDate || Number.isNaN(expirationDate.getTime())) { invalid(P.EXPIRATION_DATE, expiration, 'must be an ISO 8601 date-time'); }
  }
  if (suppressIndefinitely === (expirationDate !== undefined)) {
    invalid(`${P.EXPIRATION_DATE}/${P.SUPPRESS_INDEFINITELY}`, { expiration, indefinitely }, "give exactly one: an ExpirationDate, or SuppressIndefinitely 'true'");
  }
  const description = properties[P.DESCRIPTION];
  return {
    checkName: checkName as string,
    resourceIdentifier,
    expirationDate,
    suppressIndefinitely,
    description: description === undefined ? undefined : str(P.DESCRIPTION, description, RULES.description),
  };
}

const PHYSICAL_ID = /^(suppression:[A-Z0-9_]{1,128}:[a-zA-Z]+:[0-9a-f]{32})(?::from:([A-Za-z0-9]{1,255}))?$/;

/**
 * The physical id of the suppression of `checkName` for `resourceIdentifier`:
 * `suppression:<check>:<identifier member>:<digest of the identifier>`. A suppression's key in
 * AWS IoT is its check and resource, so two properties with the same key have the same id
 * (Update in place), and any change of the key is a new id (replacement). A resource that took
 * the suppression over from another resource of its stack (a construct moved to a new logical id)
 * has `:from:<that logical id>` after it, so that a rollback can hand it back.
 */
export function suppressionPhysicalId(checkName: string, resourceIdentifier: ResourceIdentifier, adoptedFrom?: string): string {
  const member = Object.keys(resourceIdentifier)[0];
  const digest = sha256Hex(canonicalJson(resourceIdentifier)).slice(0, 32);
  return `suppression:${checkName}:${member}:${digest}${adoptedFrom ? `:from:${adoptedFrom}` : ''}`;
}

/** The key part of a physical id this handler issued and the logical id it names after `:from:`, or undefined for any other id. */
export function parseSuppressionPhysicalId(physicalResourceId: string): { readonly key: string; readonly adoptedFrom?: string } | undefined {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  return match ? { key: match[1], ...(match[2] ? { adoptedFrom: match[2] } : {}) } : undefined;
}

/**
 * The clientRequestToken of a Create: a digest (64 hex characters, the API's maximum) of the
 * stack, the logical id and the CloudFormation request. A retried request is the same request;
 * a later Create of the same key (after a rollback deleted it) is a new one, so AWS cannot answer
 * it from an earlier request's idempotency record.
 */
export function suppressionClientRequestToken(stackId: string, logicalResourceId: string, requestId: string): string {
  return sha256Hex(stackId, logicalResourceId, requestId);
}

/**
 * Decides what a request asks for. Create creates; Update in place when the check and the
 * resource are the same (the physical id does not change), and creates a new suppression under a
 * new physical id otherwise (CloudFormation then deletes the old one with the old properties);
 * Delete deletes the suppression its physical id names. Who owns a suppression that exists is
 * decided once it is read (`decideOnExisting`). Throws, naming the property, when a Create's or an
 * Update's properties are invalid; a Delete never throws.
 */
export function planSuppressionRequest(event: CloudFormationCustomResourceEvent): SuppressionPlan {
  const token = suppressionClientRequestToken(event.StackId, event.LogicalResourceId, event.RequestId);
  switch (event.RequestType) {
    case 'Create': {
      const props = parseSuppressionProps(event.ResourceProperties);
      return { kind: 'create', physicalResourceId: suppressionPhysicalId(props.checkName, props.resourceIdentifier), clientRequestToken: token, props };
    }
    case 'Update': {
      const props = parseSuppressionProps(event.ResourceProperties);
      const physicalResourceId = suppressionPhysicalId(props.checkName, props.resourceIdentifier);
      if (parseSuppressionPhysicalId(event.PhysicalResourceId)?.key === physicalResourceId) {
        const old = event.OldResourceProperties?.[P.DESCRIPTION];
        return {
          kind: 'update', physicalResourceId: event.PhysicalResourceId, clientRequestToken: token, props, released: typeof old === 'string' ? old : '',
        };
      }
      return { kind: 'create', physicalResourceId, clientRequestToken: token, props, released: props.description ?? '' };
    }
    case 'Delete': {
      const physicalResourceId = event.PhysicalResourceId;
      let props: SuppressionProps;
      try {
        props = parseSuppressionProps(event.ResourceProperties);
      } catch (error) {
        return { kind: 'nothing-to-delete', physicalResourceId, reason: `the properties are invalid, so no suppression was created: ${(error as Error).message}` };
      }
      const issued = parseSuppressionPhysicalId(physicalResourceId);
      if (!issued || suppressionPhysicalId(props.checkName, props.resourceIdentifier) !== issued.key) {
        return { kind: 'nothing-to-delete', physicalResourceId, reason: 'the physical id is not the one this handler issues for these properties (the Create failed)' };
      }
      return { kind: 'delete', physicalResourceId, props, ...(issued.adoptedFrom ? { adoptedFrom: issued.adoptedFrom } : {}) };
    }
  }
}
