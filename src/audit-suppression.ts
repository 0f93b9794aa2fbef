import { CfnResource, CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AUDIT_CHECKS, FindingResource, isAuditCheck } from './contract/audit-checks';
import { AUDIT_SUPPRESSION_PROPS as P, AUDIT_SUPPRESSION_RESOURCE_TYPE } from './contract/custom-resources';
import { AUDIT_SUPPRESSION_RULES as RULES, StringRule, stringRuleProblem, suppressionMarkerOverhead } from './contract/suppression';
import { auditSuppressionProvider } from './private/provider';
import { invalid, refuse, validateOneOf } from './private/validation';

/** Checks a string against an API model rule, unless it is a token. */
function validateRule(scope: IConstruct, prop: string, value: string, rule: StringRule): void {
  if (Token.isUnresolved(value)) { return; }
  const problem = stringRuleProblem(value, rule);
  if (problem) { invalid(scope, prop, value, problem); }
}

/**
 * The resource an audit finding suppression is for. There is one factory per member of the AWS
 * IoT API's `ResourceIdentifier`; each value is checked as the API model says when the
 * `AuditSuppression` is defined (tokens are not checked).
 *
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_ResourceIdentifier.html
 */
export abstract class AuditSuppressionResource {
  /** A device certificate, by its id (64 hexadecimal characters, optionally after `0x`). */
  public static deviceCertificate(certificateId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('deviceCertificateId', certificateId, RULES.certificateId);
  }

  /** A CA certificate, by its id (64 hexadecimal characters, optionally after `0x`). */
  public static caCertificate(caCertificateId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('caCertificateId', caCertificateId, RULES.certificateId);
  }

  /** An Amazon Cognito identity pool, by its id. */
  public static cognitoIdentityPool(identityPoolId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('cognitoIdentityPoolId', identityPoolId, RULES.cognitoIdentityPoolId);
  }

  /** An MQTT client id. */
  public static clientId(clientId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('clientId', clientId, RULES.clientId);
  }

  /** A version of an AWS IoT policy. */
  public static policyVersion(policyName: string, policyVersionId: string): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, 'resource policyName', policyName, RULES.policyName);
        validateRule(scope, 'resource policyVersionId', policyVersionId, RULES.policyVersionId);
        return { policyVersionIdentifier: { policyName, policyVersionId } };
      }
    })();
  }

  /** An AWS account (12 digits), for account-wide checks such as LOGGING_DISABLED_CHECK. */
  public static account(accountId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('account', accountId, RULES.account);
  }

  /** An IAM role (its ARN is what the suppression names). */
  public static iamRole(role: iam.IRole): AuditSuppressionResource {
    return AuditSuppressionResource.simple('iamRoleArn', role.roleArn, RULES.iamRoleArn);
  }

  /** An AWS IoT role alias, by its ARN. */
  public static roleAlias(roleAliasArn: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('roleAliasArn', roleAliasArn, RULES.roleAliasArn);
  }

  /**
   * An issuer (intermediate CA) certificate, as INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK
   * findings name it: its subject (at most 1000 printable characters), its id (at most 64
   * hexadecimal characters, optionally after `0x`) and its serial number (at most 20 hexadecimal
   * digits and `:`).
   */
  public static issuerCertificate(subject: string, issuerId: string, serialNumber: string): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, 'resource issuerCertificateSubject', subject, RULES.issuerCertificateSubject);
        validateRule(scope, 'resource issuerId', issuerId, RULES.issuerId);
        validateRule(scope, 'resource issuerCertificateSerialNumber', serialNumber, RULES.issuerCertificateSerialNumber);
        return { issuerCertificateIdentifier: { issuerCertificateSubject: subject, issuerId, issuerCertificateSerialNumber: serialNumber } };
      }
    })();
  }

  /** A device certificate, by its ARN. */
  public static deviceCertificateArn(certificateArn: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('deviceCertificateArn', certificateArn, RULES.deviceCertificateArn);
  }

  private static simple(member: string, value: string, rule: StringRule): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, `resource ${member}`, value, rule);
        return { [member]: value };
      }
    })();
  }

  protected constructor() {}

  /**
   * Validates the identifier for `scope` and returns it as the API's `ResourceIdentifier`.
   * @internal
   */
  public abstract _bind(scope: IConstruct): Record<string, unknown>;
}

/** Each kind of resource: what it is, and the factory that names one. */
const RESOURCE_KINDS: Record<FindingResource, { readonly what: string; readonly factory: string }> = {
  deviceCertificateId: { what: 'a device certificate', factory: 'deviceCertificate' },
  caCertificateId: { what: 'a CA certificate', factory: 'caCertificate' },
  cognitoIdentityPoolId: { what: 'a Cognito identity pool', factory: 'cognitoIdentityPool' },
  clientId: { what: 'an MQTT client id', factory: 'clientId' },
  policyVersionIdentifier: { what: 'an AWS IoT policy version', factory: 'policyVersion' },
  account: { what: 'the account', factory: 'account' },
  iamRoleArn: { what: 'an IAM role', factory: 'iamRole' },
  roleAliasArn: { what: 'a role alias', factory: 'roleAlias' },
  issuerCertificateIdentifier: { what: 'an issuer (intermediate CA) certificate', factory: 'issuerCertificate' },
  deviceCertificateArn: { what: 'a device certificate by its ARN', factory: 'deviceCertificateArn' },
};

/** Refuses a resource of a kind the check's findings never name: the suppression would suppress nothing. */
function validateResourceKind(scope: IConstruct, check: AuditCheck, identifier: Record<string, unknown>): void {
  if (Token.isUnresolved(check) || !isAuditCheck(check)) { return; } // an unknown check is refused on its own
  const member = Object.keys(identifier)[0] as FindingResource;
  const allowed = AUDIT_CHECKS[check].findingResources;
  if (allowed.includes(member)) { return; }
  refuse(scope, `invalid resource ${member} for check ${check}: its findings name `
    + `${allowed.map((kind) => RESOURCE_KINDS[kind].what).join(' or ')}, so this suppression would suppress nothing; use `
    + `${allowed.map((kind) => `AuditSuppressionResource.${RESOURCE_KINDS[kind].factory}()`).join(' or ')}`);
}

/** Properties of an `AuditSuppression`. */
export interface AuditSuppressionProps {
  /** The audit check whose findings for `resource` are suppressed. */
  readonly check: AuditCheck;

  /**
   * The resource whose findings are suppressed: a kind the check's findings name (a device
   * certificate for the device certificate checks, the account for LOGGING_DISABLED_CHECK, a
   * policy version for the policy checks...). Another kind would suppress nothing and is refused.
   */
  readonly resource: AuditSuppressionResource;

  /**
   * When the suppression ends. Give exactly one of `expiration` and `suppressIndefinitely`.
   *
   * It must be later than the time of synthesis: AWS IoT refuses a date in the past, so an
   * expired suppression is refused at synth (extend it or remove it).
   *
   * @default - none: `suppressIndefinitely` must be true
   */
  readonly expiration?: Date;

  /**
   * Whether the suppression never ends. Give exactly one of `expiration` and `suppressIndefinitely`.
   *
   * @default false
   */
  readonly suppressIndefinitely?: boolean;

  /**
   * Why the risk is accepted, in printable ASCII characters.
   *
   * The suppression's description in AWS IoT is this, a space and the ownership marker
   * `[cdk-device-defender:<stack ARN>/<logical id>]`, and AWS IoT allows 1000 characters in all:
   * a description too long for this stack and construct fails synthesis, saying how many fit.
   *
   * @default - no description (the suppression's description is the marker alone)
   */
  readonly description?: string;

  /**
   * Gets a report of every permanent failure of this resource's requests: a suppression the stack
   * does not own that an Update or a Delete left as it is, a Delete that could not delete (the
   * suppression is still in force), a Create or an Update that failed.
   *
   * The stack's suppression handler may publish to it, and the alarm on the handler's permanent
   * failures notifies it (the handler and its alarm are shared by every AuditSuppression of the
   * stack, and notify every topic they give). For a topic encrypted with a KMS key the app defines,
   * the key lets them (otherwise a warning says what to grant).
   *
   * @default - no report topic: failures are logged, counted and put as events
   */
  readonly reportTopic?: sns.ITopic;

  /**
   * The event bus this resource's events (tasks started, failures, and, for a task, its outcome)
   * are put on; the stack's handler may put events on it (and on the default bus, for the
   * resources that give none). Give a `MitigationEventBus` before acting on these events: the
   * default bus accepts `PutEvents` from any principal of the account allowed it.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
}

/** What the handler's longest stack id (an ARN) can be: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
const LONGEST = {
  /** aws-us-gov */
  partition: 10,
  /** Longer than any region's name so far (us-isof-southeast-1 is 19). */
  region: 25,
  /** CloudFormation's limit on a stack name (a nested stack's name is known only at deployment). */
  stackName: 128,
  /** The stack id's uuid. */
  uuid: 36,
} as const;

/** The suppressions of each stack, by key (check and resource), with the path of the construct that defines it. */
const suppressionsOf = new WeakMap<Stack, Map<string, string>>();

/**
 * Suppresses the audit findings of one check for one resource (an accepted risk), for a time or
 * indefinitely. Suppressed findings are not mitigated, and audit notifications count them apart.
 *
 * CloudFormation has no resource type for suppressions: this is a custom resource over the AWS IoT
 * Create/Update/DeleteAuditSuppression API, with one handler per stack. Changing the expiry or the
 * description updates the suppression in place; changing the check or the resource replaces it.
 *
 * The suppression's description ends with an ownership marker naming the stack and the
 * resource's logical id. A suppression that exists already is taken over only when its marker
 * names this stack (a rollback, or this construct moved to a new path) or, made by a release
 * before markers, its description is what this resource wrote; any other (made in the console,
 * with the CLI, or by another stack) is refused: the deployment fails saying so. An Update or a
 * Delete that finds a suppression it does not own leaves it as it is and reports a permanent
 * failure (the stack goes on). Deleting one that is already gone succeeds; a Delete never fails
 * the stack, and answers in time: what it could not delete is a permanent failure.
 *
 * @resource Custom::IotAuditSuppression
 */
export class AuditSuppression extends Construct {
  /** The audit check whose findings are suppressed. */
  public readonly check: AuditCheck;
  /**
   * When the suppression ends; `undefined` when it never does (`suppressIndefinitely`). A test
   * can assert it is far enough ahead, to hear of an expiry before synthesis refuses it.
   */
  public readonly expiration?: Date;
  /** Whether the suppression never ends. */
  public readonly suppressIndefinitely: boolean;

  constructor(scope: Construct, id: string, props: AuditSuppressionProps) {
    super(scope, id);
    validateOneOf(this, 'check', props.check, Object.values(AuditCheck));
    this.check = props.check;
    const resourceIdentifier = props.resource._bind(this);
    validateResourceKind(this, props.check, resourceIdentifier);

    const indefinitely = props.suppressIndefinitely ?? false;
    if (indefinitely === (props.expiration !== undefined)) {
      invalid(this, 'expiration/suppressIndefinitely', { expiration: props.expiration, suppressIndefinitely: props.suppressIndefinitely },
        'give exactly one: an expiration date, or suppressIndefinitely: true');
    }
    let expiration: string | undefined;
    if (props.expiration !== undefined) {
      const time = props.expiration instanceof Date ? props.expiration.getTime() : NaN;
      if (Number.isNaN(time)) {
        invalid(this, 'expiration', String(props.expiration), 'must be a valid Date');
      } else {
        if (time <= Date.now()) {
          invalid(this, 'expiration', props.expiration.toISOString(),
            'must be in the future (AWS IoT refuses a past date, and an expired suppression suppresses nothing): extend it or remove the AuditSuppression');
        }
        expiration = props.expiration.toISOString();
        this.expiration = new Date(time);
      }
    }
    this.suppressIndefinitely = indefinitely;
    if (props.description !== undefined) { validateRule(this, 'description', props.description, RULES.description); }
    this.claimKey(props.check, resourceIdentifier);

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: auditSuppressionProvider(this, { reportTopic: props.reportTopic, eventBus: props.eventBus }).serviceToken,
      resourceType: AUDIT_SUPPRESSION_RESOURCE_TYPE,
      properties: {
        [P.CHECK_NAME]: props.check,
        [P.RESOURCE_IDENTIFIER]: resourceIdentifier,
        [P.EXPIRATION_DATE]: expiration,
        [P.SUPPRESS_INDEFINITELY]: String(indefinitely),
        [P.DESCRIPTION]: props.description,
        // Reporting only: an Update that changes only these writes the same settings again.
        [P.MITIGATION_NAME]: this.node.path,
        [P.REPORT_TOPIC_ARN]: props.reportTopic?.topicArn,
        [P.EVENT_BUS_ARN]: props.eventBus?.eventBusArn,
      },
    });
    if (props.description !== undefined) { this.validateDescriptionWithMarker(props.description, resource); }
  }

  /** Refuses a second AuditSuppression of the same check and resource in the stack (tokens are not compared). */
  private claimKey(check: AuditCheck, resourceIdentifier: Record<string, unknown>): void {
    const key = JSON.stringify([check, resourceIdentifier]);
    if (Token.isUnresolved(key)) { return; }
    const stack = Stack.of(this);
    const claimed = suppressionsOf.get(stack) ?? new Map<string, string>();
    suppressionsOf.set(stack, claimed);
    const other = claimed.get(key);
    if (other !== undefined) {
      invalid(this, 'check/resource', { check, resource: resourceIdentifier }, `already suppressed by ${other} in stack ${stack.stackName}: AWS IoT keeps `
        + 'one suppression per check and resource, and two AuditSuppressions would overwrite and delete each other\'s; keep one of them');
      return;
    }
    claimed.set(key, this.node.path);
  }

  /**
   * The description and the marker the handler appends must fit the API's 1000 characters, with
   * the stack id at its longest (an ARN with the longest partition and region, unless the stack's
   * are known) and the logical id the resource has now.
   */
  private validateDescriptionWithMarker(description: string, resource: CustomResource): void {
    if (Token.isUnresolved(description)) { return; }
    const stack = Stack.of(this);
    const known = (value: string, longest: number) => (Token.isUnresolved(value) ? longest : value.length);
    const stackIdLength = 'arn::cloudformation:::stack//'.length + known(stack.partition, LONGEST.partition) + known(stack.region, LONGEST.region)
      + 12 + known(stack.stackName, LONGEST.stackName) + LONGEST.uuid;
    const logicalId = stack.getLogicalId(resource.node.defaultChild as CfnResource);
    const room = RULES.description.max - suppressionMarkerOverhead(stackIdLength, logicalId.length);
    if ([...description].length > room) {
      invalid(this, 'description', description, `must be at most ${room} printable ASCII characters here: the handler appends the ownership marker `
        + `" [cdk-device-defender:<stack ARN>/${logicalId}]" (up to ${RULES.description.max - room} characters for stack ${stack.stackName}), `
        + `and AWS IoT allows ${RULES.description.max} in all`);
    }
  }
}
