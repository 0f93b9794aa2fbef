import { MalformedMessageError, isObject, parseJsonObject } from '../shared/message';

const WHAT = 'violation alert';

/** A violation id: `[a-zA-Z0-9-]{1,128}` (StartDetectMitigationActionsTask's rule). */
export const VIOLATION_ID_PATTERN = /^[a-zA-Z0-9-]{1,128}$/;

/** What the detect mitigation logic needs from a Device Defender violation alert. */
export interface ViolationAlert {
  readonly violationId: string;
  readonly violationEventType: string;
  readonly securityProfileName: string;
  readonly thingName?: string;
  readonly behaviorName?: string;
}

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedMessageError(WHAT, `${name} must be a non-empty string, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}

/**
 * Parses the alert a security profile's SNS alert target receives for a violation event.
 * Unknown fields are ignored; missing or mistyped required fields make it malformed.
 */
export function parseViolationAlert(message: string): ViolationAlert {
  const body = parseJsonObject(message, WHAT);
  const violationId = text(body, 'violationId');
  if (!VIOLATION_ID_PATTERN.test(violationId)) {
    throw new MalformedMessageError(WHAT, `violationId ${JSON.stringify(violationId)} is not a violation id`);
  }
  const behavior = body.behavior;
  if (behavior !== undefined && !isObject(behavior)) { throw new MalformedMessageError(WHAT, 'behavior must be an object'); }
  const thingName = body.thingName;
  // A thing name is 1 to 128 characters (DeviceDefenderThingName): the handler looks it up.
  if (thingName !== undefined && (typeof thingName !== 'string' || thingName.length < 1 || thingName.length > 128)) {
    throw new MalformedMessageError(WHAT, 'thingName must be a string of 1 to 128 characters');
  }
  return {
    violationId,
    violationEventType: text(body, 'violationEventType'),
    securityProfileName: text(body, 'securityProfileName'),
    thingName,
    behaviorName: behavior && typeof behavior.name === 'string' ? behavior.name : undefined,
  };
}

/** How a `DetectMitigation` was configured. */
export interface DetectMitigationConfig {
  readonly securityProfileName: string;
  /** Action names, applied in order. */
  readonly actions: string[];
  /** Only violations of these behaviours; undefined = all. */
  readonly behaviors?: string[];
  readonly dryRun: boolean;
  readonly taskIdPrefix: string;
}

/**
 * Why an alert is not even verified: it asks for nothing (an alarm that ended, another profile's
 * alert on a shared topic). It can only drop an alert, never start anything, so the message's word
 * is enough here; everything that starts a task is verified with AWS IoT first.
 */
export function reasonNotToVerify(alert: ViolationAlert, config: DetectMitigationConfig): string | undefined {
  if (alert.violationEventType !== 'in-alarm') {
    return `violation event ${alert.violationEventType}, not in-alarm`;
  }
  if (alert.securityProfileName !== config.securityProfileName) {
    return `security profile ${alert.securityProfileName}, not ${config.securityProfileName}`;
  }
  return undefined;
}

/**
 * Why an alert is not acted on, or undefined when it is. The handler asks it with the alert as
 * AWS IoT confirmed it (`verifiedAlert`): its behaviour is AWS IoT's, not the message's.
 */
export function reasonToIgnore(alert: ViolationAlert, config: DetectMitigationConfig): string | undefined {
  const reason = reasonNotToVerify(alert, config);
  if (reason) { return reason; }
  if (config.behaviors && !config.behaviors.includes(alert.behaviorName ?? '')) {
    return `behavior ${JSON.stringify(alert.behaviorName ?? null)} is not one of ${config.behaviors.join(', ')}`;
  }
  return undefined;
}

/** What happens to the violations of a detect mitigation task that could not be started. */
export type StartFailureStep =
  /** a transient error: return their messages to SQS, which redelivers them (then dead-letters) */
  | 'retry-later'
  /** a permanent error for several ids: start one task per id, so a bad id loses only itself */
  | 'split'
  /** a permanent error for one id: report it as a permanent failure, do not retry */
  | 'give-up';

/** Decides what happens after StartDetectMitigationActionsTask failed for `violationCount` ids. */
export function afterStartFailure(permanent: boolean, violationCount: number): StartFailureStep {
  if (!permanent) { return 'retry-later'; }
  return violationCount > 1 ? 'split' : 'give-up';
}
