/**
 * Request constraints of the AWS IoT control-plane operations the emulator serves, as pure functions.
 *
 * Sources: the IoT service model shipped in `@aws-sdk/client-iot` (shapes, required members, HTTP
 * bindings), the IoT API reference (length, pattern and range constraints), and the Device Defender
 * developer guide (audit check names, the two mitigation-task APIs). Every function returns a list
 * of readable violation strings (`member.path: problem`); an empty list means the request is
 * well-formed.
 *
 * Wire format (restJson1, as the SDK sends it; checked against @aws-sdk/client-iot 3.1169):
 * - path labels are percent-encoded (`encodeURIComponent`) and must be decoded before validation;
 * - timestamps in the query string are RFC 3339 / ISO 8601 date-times with milliseconds
 *   (`2025-01-01T00:00:00.123Z`), or without a fraction for whole seconds (`2025-01-01T00:01:40Z`);
 * - timestamps in JSON bodies are epoch seconds as JSON numbers, fractional for milliseconds
 *   (`1735689600.123`);
 * - integers in the query string are decimal strings (`maxResults=5`); booleans are `true` / `false`;
 * - the only header-bound member is ListPrincipalThings' principal (`x-amzn-principal`, sent verbatim);
 * - operations without body members (UpdateCertificate, SetDefaultPolicyVersion, ...) send no body,
 *   but UpdateCACertificate always sends `{}` (registrationConfig and removeAutoRegistration are body members).
 */

/** The 17 audit checks that exist today (https://docs.aws.amazon.com/iot-device-defender/latest/devguide/device-defender-audit-checks.html). */
export const AUDIT_CHECK_NAMES = [
  'AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
  'CA_CERTIFICATE_EXPIRING_CHECK',
  'CA_CERTIFICATE_KEY_QUALITY_CHECK',
  'CONFLICTING_CLIENT_IDS_CHECK',
  'DEVICE_CERTIFICATE_AGE_CHECK',
  'DEVICE_CERTIFICATE_EXPIRING_CHECK',
  'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK',
  'DEVICE_CERTIFICATE_SHARED_CHECK',
  'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK',
  'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
  'IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK',
  'IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK',
  'IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK',
  'LOGGING_DISABLED_CHECK',
  'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK',
  'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK',
  'UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
] as const;
export type AuditCheckName = typeof AUDIT_CHECK_NAMES[number];

/** Mitigation action types as the IoT API names them. */
export const MITIGATION_ACTION_TYPES = [
  'ADD_THINGS_TO_THING_GROUP',
  'ENABLE_IOT_LOGGING',
  'PUBLISH_FINDING_TO_SNS',
  'REPLACE_DEFAULT_POLICY_VERSION',
  'UPDATE_CA_CERTIFICATE',
  'UPDATE_DEVICE_CERTIFICATE',
] as const;
export type MitigationActionType = typeof MITIGATION_ACTION_TYPES[number];

/** The action types StartDetectMitigationActionsTask accepts. */
export const DETECT_ACTION_TYPES: readonly MitigationActionType[] = ['ADD_THINGS_TO_THING_GROUP'];

export const AUDIT_TASK_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED'] as const;
export type AuditTaskStatus = typeof AUDIT_TASK_STATUSES[number];
export const AUDIT_TASK_TYPES = ['ON_DEMAND_AUDIT_TASK', 'SCHEDULED_AUDIT_TASK'] as const;
export type AuditTaskType = typeof AUDIT_TASK_TYPES[number];
export const AUDIT_MITIGATION_TASK_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED'] as const;
export type AuditMitigationActionsTaskStatus = typeof AUDIT_MITIGATION_TASK_STATUSES[number];
export const AUDIT_MITIGATION_EXECUTION_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED', 'SKIPPED', 'PENDING'] as const;
export type AuditMitigationActionsExecutionStatus = typeof AUDIT_MITIGATION_EXECUTION_STATUSES[number];
export const DETECT_MITIGATION_TASK_STATUSES = ['IN_PROGRESS', 'SUCCESSFUL', 'FAILED', 'CANCELED'] as const;
export type DetectMitigationActionsTaskStatus = typeof DETECT_MITIGATION_TASK_STATUSES[number];
export const AUDIT_CHECK_RUN_STATUSES = [
  'IN_PROGRESS', 'WAITING_FOR_DATA_COLLECTION', 'CANCELED', 'COMPLETED_COMPLIANT', 'COMPLETED_NON_COMPLIANT', 'FAILED',
] as const;
export type AuditCheckRunStatus = typeof AUDIT_CHECK_RUN_STATUSES[number];
export const AUDIT_FINDING_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type AuditFindingSeverity = typeof AUDIT_FINDING_SEVERITIES[number];

const SNS_ONLY: readonly MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS'];
const CA_CERT: readonly MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'UPDATE_CA_CERTIFICATE'];
const DEVICE_CERT: readonly MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'UPDATE_DEVICE_CERTIFICATE', 'ADD_THINGS_TO_THING_GROUP'];
const POLICY: readonly MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'REPLACE_DEFAULT_POLICY_VERSION'];

/**
 * Which mitigation action types each audit check accepts in `auditCheckToActionsMapping`, in the
 * order of AWS's "Audit check to mitigation action mapping" table (its legacy check names translated:
 * REVOKED_CA_CERT_CHECK, CA_CERT_APPROACHING_EXPIRATION_CHECK, DEVICE_CERT_APPROACHING_EXPIRATION_CHECK,
 * REVOKED_DEVICE_CERT_CHECK): https://docs.aws.amazon.com/iot-device-defender/latest/devguide/dd-mitigation-actions.html
 * DEVICE_CERTIFICATE_AGE_CHECK is not in that table: PUBLISH_FINDING_TO_SNS only, which every check supports.
 */
export const CHECK_ALLOWED_ACTION_TYPES: Readonly<Record<AuditCheckName, readonly MitigationActionType[]>> = {
  AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
  CA_CERTIFICATE_EXPIRING_CHECK: CA_CERT,
  CA_CERTIFICATE_KEY_QUALITY_CHECK: CA_CERT,
  CONFLICTING_CLIENT_IDS_CHECK: SNS_ONLY,
  DEVICE_CERTIFICATE_AGE_CHECK: SNS_ONLY,
  DEVICE_CERTIFICATE_EXPIRING_CHECK: DEVICE_CERT,
  DEVICE_CERTIFICATE_KEY_QUALITY_CHECK: DEVICE_CERT,
  DEVICE_CERTIFICATE_SHARED_CHECK: DEVICE_CERT,
  INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK: DEVICE_CERT,
  IOT_POLICY_OVERLY_PERMISSIVE_CHECK: POLICY,
  IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK: POLICY,
  IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK: SNS_ONLY,
  IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
  LOGGING_DISABLED_CHECK: ['PUBLISH_FINDING_TO_SNS', 'ENABLE_IOT_LOGGING'],
  REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK: CA_CERT,
  REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: DEVICE_CERT,
  UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
};

export function isAuditCheckName(value: string): value is AuditCheckName {
  return (AUDIT_CHECK_NAMES as readonly string[]).includes(value);
}

export function isMitigationActionType(value: string): value is MitigationActionType {
  return (MITIGATION_ACTION_TYPES as readonly string[]).includes(value);
}

/** Whether `actionType` may be used for `checkName` (false for unknown checks). */
export function actionTypeAllowedForCheck(checkName: string, actionType: string): boolean {
  return isAuditCheckName(checkName) && (CHECK_ALLOWED_ACTION_TYPES[checkName] as readonly string[]).includes(actionType);
}

// ---------------------------------------------------------------------------------------------
// String rules of the shapes involved
// ---------------------------------------------------------------------------------------------

export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

/** MitigationActionsTaskId: audit and detect mitigation task ids. */
export const MITIGATION_TASK_ID: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_-]+$/ };
/** ClientRequestToken. */
export const CLIENT_REQUEST_TOKEN: StringRule = { min: 1, max: 64, pattern: /^[a-zA-Z0-9-_]+$/ };
/** AuditTaskId. */
export const AUDIT_TASK_ID: StringRule = { min: 1, max: 40, pattern: /^[a-zA-Z0-9-]+$/ };
/** FindingId. */
export const FINDING_ID: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_-]+$/ };
/** ReasonForNonComplianceCode. */
export const REASON_CODE: StringRule = { min: 1, max: 128, pattern: /^[\p{Lu}\p{Nd}_]+$/u };
/** MitigationActionName (the API rule: no colon, unlike CloudFormation). */
export const MITIGATION_ACTION_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_-]+$/ };
/** ViolationId. */
export const VIOLATION_ID: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9-]+$/ };
/** SecurityProfileName and BehaviorName. */
export const SECURITY_PROFILE_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
export const BEHAVIOR_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
/** DimensionName and MetricName (a custom metric's). */
export const DIMENSION_OR_METRIC_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
/** Page size for every List* operation here: 1-250 (the service's default page is 25). */
export const MAX_RESULTS = { min: 1, max: 250 } as const;

// ---------------------------------------------------------------------------------------------
// Generic checks
// ---------------------------------------------------------------------------------------------

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Checks a string against a rule; `undefined` passes unless `required`. */
export function checkString(path: string, value: unknown, rule: StringRule, required = false): string[] {
  if (value === undefined) return required ? [`${path}: is required`] : [];
  if (typeof value !== 'string') return [`${path}: must be a string, got ${describe(value)}`];
  const out: string[] = [];
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min) out.push(`${path}: length ${length} is below the minimum ${rule.min}`);
  if (rule.max !== undefined && length > rule.max) out.push(`${path}: length ${length} exceeds the maximum ${rule.max}`);
  if (rule.pattern && length > 0 && !rule.pattern.test(value)) {
    out.push(`${path}: ${JSON.stringify(truncate(value))} does not match ${String(rule.pattern)}`);
  }
  return out;
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** Checks a list of strings: item count and every item. */
export function checkStringList(path: string, value: unknown, minItems: number, maxItems: number, item: StringRule, required = false): string[] {
  if (value === undefined) return required ? [`${path}: is required`] : [];
  if (!Array.isArray(value)) return [`${path}: must be a list, got ${describe(value)}`];
  const out: string[] = [];
  if (value.length < minItems) out.push(`${path}: has ${value.length} items, the minimum is ${minItems}`);
  if (value.length > maxItems) out.push(`${path}: has ${value.length} items, the maximum is ${maxItems}`);
  value.forEach((v, i) => out.push(...checkString(`${path}[${i}]`, v, item, true)));
  return out;
}

export function checkBoolean(path: string, value: unknown): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return [`${path}: must be a boolean, got ${describe(value)}`];
}

export function checkEnum(path: string, value: unknown, allowed: readonly string[], required = false): string[] {
  if (value === undefined) return required ? [`${path}: is required`] : [];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return [`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`];
  }
  return [];
}

/** Audit check names (map keys and the ListAuditFindings filter) must be one of the 17 checks. */
export function checkAuditCheckName(path: string, value: unknown): string[] {
  if (typeof value !== 'string') return [`${path}: must be a string, got ${describe(value)}`];
  return isAuditCheckName(value) ? [] : [`${path}: ${JSON.stringify(value)} is not a known audit check name`];
}

/** JSON body integers (`maxResults` in ListAuditFindings). */
export function checkBodyInteger(path: string, value: unknown, min: number, max: number): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: must be an integer, got ${JSON.stringify(value)}`];
  if (value < min || value > max) return [`${path}: ${value} is outside the range ${min}-${max}`];
  return [];
}

/** JSON body timestamps: epoch seconds as a number. */
export function checkBodyTimestamp(path: string, value: unknown, required = false): string[] {
  if (value === undefined) return required ? [`${path}: is required`] : [];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return [`${path}: must be epoch seconds (a JSON number), got ${JSON.stringify(value)}`];
  }
  return [];
}

/** Parses a query-string timestamp (ISO 8601 date-time); undefined when absent or invalid. */
export function parseQueryTimestamp(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Converts a body timestamp (epoch seconds) to a Date; undefined when absent or invalid. */
export function parseBodyTimestamp(value: unknown): Date | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(Math.round(value * 1000)) : undefined;
}

export type Query = Record<string, string | string[]>;

/** A query parameter that must appear at most once. */
function single(query: Query, name: string): string | string[] | undefined {
  return query[name];
}

function checkQuerySingle(name: string, value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? [`query ${name}: must appear once, got ${value.length} values`] : [];
}

export function checkQueryString(query: Query, name: string, rule: StringRule, required = false): string[] {
  const value = single(query, name);
  if (Array.isArray(value)) return checkQuerySingle(name, value);
  return checkString(`query ${name}`, value, rule, required);
}

export function checkQueryEnum(query: Query, name: string, allowed: readonly string[], required = false): string[] {
  const value = single(query, name);
  if (Array.isArray(value)) return checkQuerySingle(name, value);
  return checkEnum(`query ${name}`, value, allowed, required);
}

export function checkQueryTimestamp(query: Query, name: string, required = false): string[] {
  const value = single(query, name);
  if (Array.isArray(value)) return checkQuerySingle(name, value);
  if (value === undefined) return required ? [`query ${name}: is required`] : [];
  return parseQueryTimestamp(value) ? [] : [`query ${name}: ${JSON.stringify(value)} is not an ISO 8601 date-time`];
}

export function checkQueryInteger(query: Query, name: string, min: number, max: number): string[] {
  const value = single(query, name);
  if (Array.isArray(value)) return checkQuerySingle(name, value);
  if (value === undefined) return [];
  if (!/^-?\d+$/.test(value)) return [`query ${name}: ${JSON.stringify(value)} is not an integer`];
  const n = Number(value);
  return n < min || n > max ? [`query ${name}: ${n} is outside the range ${min}-${max}`] : [];
}

/** Members the operation does not define (the SDK never sends them; a hand-built request might). */
export function checkKnownMembers(path: string, value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !known.includes(k)).map((k) => `${path}: unknown member ${JSON.stringify(k)}`);
}

function checkKnownQuery(query: Query, known: readonly string[]): string[] {
  return Object.keys(query).filter((k) => !known.includes(k)).map((k) => `query: unknown parameter ${JSON.stringify(k)}`);
}

/** Checks that the body is a JSON object; returns it (or an empty object) with the violations. */
function bodyObject(body: unknown): { obj: Record<string, unknown>; violations: string[] } {
  if (body === undefined) return { obj: {}, violations: [] };
  if (!isRecord(body)) return { obj: {}, violations: [`body: must be a JSON object, got ${describe(body)}`] };
  return { obj: body, violations: [] };
}

// ---------------------------------------------------------------------------------------------
// Per-operation request checks
// ---------------------------------------------------------------------------------------------

/** What an operation check receives: decoded path labels, the query and the parsed JSON body. */
export interface RequestParts {
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly body: unknown;
  /** Request headers, names in lower case (as Node delivers them); only ListPrincipalThings binds one. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

export function checkAuditMitigationTarget(path: string, target: unknown): string[] {
  if (target === undefined) return [`${path}: is required`];
  if (!isRecord(target)) return [`${path}: must be an object, got ${describe(target)}`];
  const out = checkKnownMembers(path, target, ['auditTaskId', 'findingIds', 'auditCheckToReasonCodeFilter']);
  const present = ['auditTaskId', 'findingIds', 'auditCheckToReasonCodeFilter'].filter((k) => target[k] !== undefined);
  if (present.length !== 1) {
    out.push(`${path}: must set exactly one of auditTaskId, findingIds, auditCheckToReasonCodeFilter (got ${present.length === 0 ? 'none' : present.join(', ')})`);
  }
  out.push(...checkString(`${path}.auditTaskId`, target.auditTaskId, AUDIT_TASK_ID));
  out.push(...checkStringList(`${path}.findingIds`, target.findingIds, 1, 25, FINDING_ID));
  const filter = target.auditCheckToReasonCodeFilter;
  if (filter !== undefined) {
    if (!isRecord(filter)) {
      out.push(`${path}.auditCheckToReasonCodeFilter: must be a map, got ${describe(filter)}`);
    } else {
      if (Object.keys(filter).length === 0) out.push(`${path}.auditCheckToReasonCodeFilter: is empty, so it selects nothing`);
      for (const [check, codes] of Object.entries(filter)) {
        const p = `${path}.auditCheckToReasonCodeFilter.${check}`;
        out.push(...checkAuditCheckName(`${path}.auditCheckToReasonCodeFilter key`, check));
        out.push(...checkStringList(p, codes, 1, 25, REASON_CODE, true));
      }
    }
  }
  return out;
}

export function checkAuditCheckToActionsMapping(path: string, mapping: unknown): string[] {
  if (mapping === undefined) return [`${path}: is required`];
  if (!isRecord(mapping)) return [`${path}: must be a map, got ${describe(mapping)}`];
  const out: string[] = [];
  if (Object.keys(mapping).length === 0) out.push(`${path}: is empty, so the task would do nothing`);
  for (const [check, actions] of Object.entries(mapping)) {
    out.push(...checkAuditCheckName(`${path} key`, check));
    out.push(...checkStringList(`${path}.${check}`, actions, 1, 5, MITIGATION_ACTION_NAME, true));
  }
  return out;
}

/** StartAuditMitigationActionsTask: POST /audit/mitigationactions/tasks/{taskId}. */
export function checkStartAuditMitigationActionsTask(req: RequestParts): string[] {
  const out = checkString('taskId', req.pathParams.taskId, MITIGATION_TASK_ID, true);
  if (req.body === undefined) return [...out, 'body: is required'];
  const { obj, violations } = bodyObject(req.body);
  out.push(...violations);
  if (violations.length > 0) return out;
  out.push(...checkKnownMembers('body', obj, ['target', 'auditCheckToActionsMapping', 'clientRequestToken']));
  out.push(...checkAuditMitigationTarget('target', obj.target));
  out.push(...checkAuditCheckToActionsMapping('auditCheckToActionsMapping', obj.auditCheckToActionsMapping));
  out.push(...checkString('clientRequestToken', obj.clientRequestToken, CLIENT_REQUEST_TOKEN, true));
  return out;
}

export function checkDetectMitigationTarget(path: string, target: unknown): string[] {
  if (target === undefined) return [`${path}: is required`];
  if (!isRecord(target)) return [`${path}: must be an object, got ${describe(target)}`];
  const out = checkKnownMembers(path, target, ['violationIds', 'securityProfileName', 'behaviorName']);
  const hasIds = target.violationIds !== undefined;
  const hasProfile = target.securityProfileName !== undefined;
  if (hasIds === hasProfile) {
    out.push(`${path}: must set either violationIds or securityProfileName (with an optional behaviorName), ${hasIds ? 'not both' : 'got neither'}`);
  }
  if (target.behaviorName !== undefined && !hasProfile) out.push(`${path}.behaviorName: requires securityProfileName`);
  out.push(...checkStringList(`${path}.violationIds`, target.violationIds, 1, 25, VIOLATION_ID));
  out.push(...checkString(`${path}.securityProfileName`, target.securityProfileName, SECURITY_PROFILE_NAME));
  out.push(...checkString(`${path}.behaviorName`, target.behaviorName, BEHAVIOR_NAME));
  return out;
}

/** StartDetectMitigationActionsTask: PUT /detect/mitigationactions/tasks/{taskId}. */
export function checkStartDetectMitigationActionsTask(req: RequestParts): string[] {
  const out = checkString('taskId', req.pathParams.taskId, MITIGATION_TASK_ID, true);
  if (req.body === undefined) return [...out, 'body: is required'];
  const { obj, violations } = bodyObject(req.body);
  out.push(...violations);
  if (violations.length > 0) return out;
  out.push(...checkKnownMembers('body', obj, [
    'target', 'actions', 'violationEventOccurrenceRange', 'includeOnlyActiveViolations', 'includeSuppressedAlerts', 'clientRequestToken',
  ]));
  out.push(...checkDetectMitigationTarget('target', obj.target));
  out.push(...checkStringList('actions', obj.actions, 1, 5, MITIGATION_ACTION_NAME, true));
  const range = obj.violationEventOccurrenceRange;
  if (range !== undefined) {
    if (!isRecord(range)) {
      out.push(`violationEventOccurrenceRange: must be an object, got ${describe(range)}`);
    } else {
      out.push(...checkKnownMembers('violationEventOccurrenceRange', range, ['startTime', 'endTime']));
      out.push(...checkBodyTimestamp('violationEventOccurrenceRange.startTime', range.startTime, true));
      out.push(...checkBodyTimestamp('violationEventOccurrenceRange.endTime', range.endTime, true));
    }
  }
  out.push(...checkBoolean('includeOnlyActiveViolations', obj.includeOnlyActiveViolations));
  out.push(...checkBoolean('includeSuppressedAlerts', obj.includeSuppressedAlerts));
  out.push(...checkString('clientRequestToken', obj.clientRequestToken, CLIENT_REQUEST_TOKEN, true));
  return out;
}

export const RESOURCE_IDENTIFIER_MEMBERS = [
  'deviceCertificateId', 'caCertificateId', 'cognitoIdentityPoolId', 'clientId', 'policyVersionIdentifier', 'account',
  'iamRoleArn', 'roleAliasArn', 'issuerCertificateIdentifier', 'deviceCertificateArn',
] as const;

/** ListAuditFindings: POST /audit/findings. */
export function checkListAuditFindings(req: RequestParts): string[] {
  const { obj, violations } = bodyObject(req.body);
  const out = [...violations];
  if (violations.length > 0) return out;
  out.push(...checkKnownMembers('body', obj, [
    'taskId', 'checkName', 'resourceIdentifier', 'maxResults', 'nextToken', 'startTime', 'endTime', 'listSuppressedFindings',
  ]));
  out.push(...checkString('taskId', obj.taskId, AUDIT_TASK_ID));
  if (obj.checkName !== undefined) out.push(...checkAuditCheckName('checkName', obj.checkName));
  if (obj.resourceIdentifier !== undefined) {
    if (!isRecord(obj.resourceIdentifier)) {
      out.push(`resourceIdentifier: must be an object, got ${describe(obj.resourceIdentifier)}`);
    } else {
      out.push(...checkKnownMembers('resourceIdentifier', obj.resourceIdentifier, RESOURCE_IDENTIFIER_MEMBERS));
    }
  }
  out.push(...checkBodyInteger('maxResults', obj.maxResults, MAX_RESULTS.min, MAX_RESULTS.max));
  if (obj.nextToken !== undefined && typeof obj.nextToken !== 'string') out.push(`nextToken: must be a string, got ${describe(obj.nextToken)}`);
  out.push(...checkBodyTimestamp('startTime', obj.startTime));
  out.push(...checkBodyTimestamp('endTime', obj.endTime));
  out.push(...checkBoolean('listSuppressedFindings', obj.listSuppressedFindings));
  const hasTask = obj.taskId !== undefined;
  const hasStart = obj.startTime !== undefined;
  const hasEnd = obj.endTime !== undefined;
  if (hasStart !== hasEnd) out.push('startTime/endTime: specify both or neither');
  if (hasTask && (hasStart || hasEnd)) out.push('taskId and startTime/endTime: specify either taskId or a time window, not both');
  if (!hasTask && !hasStart && !hasEnd) out.push('taskId or startTime/endTime: one of them is required');
  return out;
}

/** DescribeAuditTask: GET /audit/tasks/{taskId}. */
export function checkDescribeAuditTask(req: RequestParts): string[] {
  return checkString('taskId', req.pathParams.taskId, AUDIT_TASK_ID, true);
}

/** ListAuditTasks: GET /audit/tasks. */
export function checkListAuditTasks(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkKnownQuery(q, ['startTime', 'endTime', 'taskType', 'taskStatus', 'nextToken', 'maxResults']),
    ...checkQueryTimestamp(q, 'startTime', true),
    ...checkQueryTimestamp(q, 'endTime', true),
    ...checkQueryEnum(q, 'taskType', AUDIT_TASK_TYPES),
    ...checkQueryEnum(q, 'taskStatus', AUDIT_TASK_STATUSES),
    ...checkQueryString(q, 'nextToken', {}),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
  ];
}

/** DescribeAuditMitigationActionsTask / CancelAuditMitigationActionsTask and the detect twins. */
export function checkMitigationTaskIdPath(req: RequestParts): string[] {
  return checkString('taskId', req.pathParams.taskId, MITIGATION_TASK_ID, true);
}

/** DescribeAuditFinding: GET /audit/findings/{findingId}. */
export function checkDescribeAuditFinding(req: RequestParts): string[] {
  return checkString('findingId', req.pathParams.findingId, FINDING_ID, true);
}

/** ListAuditMitigationActionsTasks: GET /audit/mitigationactions/tasks. */
export function checkListAuditMitigationActionsTasks(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkKnownQuery(q, ['startTime', 'endTime', 'auditTaskId', 'findingId', 'taskStatus', 'maxResults', 'nextToken']),
    ...checkQueryTimestamp(q, 'startTime', true),
    ...checkQueryTimestamp(q, 'endTime', true),
    ...checkQueryString(q, 'auditTaskId', AUDIT_TASK_ID),
    ...checkQueryString(q, 'findingId', FINDING_ID),
    ...checkQueryEnum(q, 'taskStatus', AUDIT_MITIGATION_TASK_STATUSES),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
}

/** ListAuditMitigationActionsExecutions: GET /audit/mitigationactions/executions. */
export function checkListAuditMitigationActionsExecutions(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkKnownQuery(q, ['taskId', 'findingId', 'actionStatus', 'maxResults', 'nextToken']),
    ...checkQueryString(q, 'taskId', MITIGATION_TASK_ID, true),
    ...checkQueryString(q, 'findingId', FINDING_ID, true),
    ...checkQueryEnum(q, 'actionStatus', AUDIT_MITIGATION_EXECUTION_STATUSES),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
}

/** ListDetectMitigationActionsTasks: GET /detect/mitigationactions/tasks. */
export function checkListDetectMitigationActionsTasks(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkKnownQuery(q, ['startTime', 'endTime', 'maxResults', 'nextToken']),
    ...checkQueryTimestamp(q, 'startTime', true),
    ...checkQueryTimestamp(q, 'endTime', true),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
}

// ---------------------------------------------------------------------------------------------
// Resources the mitigation actions change: certificates, CA certificates, things, thing groups
// and policy versions. Constraints from the IoT API reference; HTTP bindings from the SDK model.
// ---------------------------------------------------------------------------------------------

/** CertificateId (device and CA certificates): exactly 64 characters, hexadecimal. */
export const CERTIFICATE_ID: StringRule = { min: 64, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/ };
/** ThingName and ThingGroupName. */
export const THING_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
export const THING_GROUP_NAME: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ };
/** DeviceDefenderThingName (the thingName filter of ListDetectMitigationActionsExecutions): no pattern. */
export const DEVICE_DEFENDER_THING_NAME: StringRule = { min: 1, max: 128 };
/** PolicyName and PolicyVersionId. */
export const POLICY_NAME: StringRule = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ };
export const POLICY_VERSION_ID: StringRule = { pattern: /^[0-9]+$/ };
/** PolicyDocument: the shape allows 0-404600 characters; the documented rule is 1-2048 excluding whitespace. */
export const POLICY_DOCUMENT_MAX_NON_WHITESPACE = 2048;
/** A policy keeps at most this many versions (CreatePolicyVersion: VersionsLimitExceededException beyond). */
export const MAX_POLICY_VERSIONS = 5;

export const CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_TRANSFER', 'REGISTER_INACTIVE', 'PENDING_ACTIVATION'] as const;
export type CertificateStatus = typeof CERTIFICATE_STATUSES[number];
export const CA_CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export type CACertificateStatus = typeof CA_CERTIFICATE_STATUSES[number];
export const AUTO_REGISTRATION_STATUSES = ['ENABLE', 'DISABLE'] as const;
export const DETECT_MITIGATION_EXECUTION_STATUSES = ['IN_PROGRESS', 'SUCCESSFUL', 'FAILED', 'SKIPPED'] as const;
export type DetectMitigationActionExecutionStatus = typeof DETECT_MITIGATION_EXECUTION_STATUSES[number];
export const RESOURCE_TYPES = [
  'DEVICE_CERTIFICATE', 'CA_CERTIFICATE', 'IOT_POLICY', 'COGNITO_IDENTITY_POOL', 'CLIENT_ID', 'ACCOUNT_SETTINGS',
  'ROLE_ALIAS', 'IAM_ROLE', 'ISSUER_CERTIFICATE',
] as const;
export type ResourceType = typeof RESOURCE_TYPES[number];

/** Query booleans are sent as the strings `true` / `false`. */
export function checkQueryBoolean(query: Query, name: string): string[] {
  const value = single(query, name);
  if (Array.isArray(value)) return checkQuerySingle(name, value);
  if (value === undefined || value === 'true' || value === 'false') return [];
  return [`query ${name}: ${JSON.stringify(value)} is not a boolean (true or false)`];
}

/** Reads a header (names are lower case on the server side); a repeated header is reported. */
function checkHeaderString(req: RequestParts, name: string, required: boolean): string[] {
  const value = req.headers?.[name.toLowerCase()];
  if (Array.isArray(value)) return [`header ${name}: must appear once, got ${value.length} values`];
  if (value === undefined || value === '') return required ? [`header ${name}: is required`] : [];
  return [];
}

/** Operations without a request body: any body is reported (the SDK never sends one). */
function checkNoBody(req: RequestParts): string[] {
  if (req.body === undefined) return [];
  return ['body: this operation takes no request body'];
}

/** DescribeCertificate: GET /certificates/{certificateId}. */
export function checkDescribeCertificate(req: RequestParts): string[] {
  return [
    ...checkString('certificateId', req.pathParams.certificateId, CERTIFICATE_ID, true),
    ...checkKnownQuery(req.query, []),
  ];
}

/** UpdateCertificate: PUT /certificates/{certificateId}?newStatus=... (no body). */
export function checkUpdateCertificate(req: RequestParts): string[] {
  const out = [
    ...checkString('certificateId', req.pathParams.certificateId, CERTIFICATE_ID, true),
    ...checkKnownQuery(req.query, ['newStatus']),
    ...checkQueryEnum(req.query, 'newStatus', CERTIFICATE_STATUSES, true),
    ...checkNoBody(req),
  ];
  const status = req.query.newStatus;
  if (status === 'PENDING_TRANSFER' || status === 'PENDING_ACTIVATION') {
    out.push(`query newStatus: ${status} is used internally by IoT; setting it throws an exception`);
  }
  if (status === 'REGISTER_INACTIVE') out.push('query newStatus: REGISTER_INACTIVE is deprecated and should not be used');
  return out;
}

/** DescribeCACertificate: GET /cacertificate/{certificateId}. */
export function checkDescribeCACertificate(req: RequestParts): string[] {
  return [
    ...checkString('certificateId', req.pathParams.certificateId, CERTIFICATE_ID, true),
    ...checkKnownQuery(req.query, []),
  ];
}

/**
 * UpdateCACertificate: PUT /cacertificate/{certificateId}?newStatus=&newAutoRegistrationStatus=,
 * with a JSON body for registrationConfig / removeAutoRegistration (the SDK always sends `{}`).
 */
export function checkUpdateCACertificate(req: RequestParts): string[] {
  const out = [
    ...checkString('certificateId', req.pathParams.certificateId, CERTIFICATE_ID, true),
    ...checkKnownQuery(req.query, ['newStatus', 'newAutoRegistrationStatus']),
    ...checkQueryEnum(req.query, 'newStatus', CA_CERTIFICATE_STATUSES),
    ...checkQueryEnum(req.query, 'newAutoRegistrationStatus', AUTO_REGISTRATION_STATUSES),
  ];
  const { obj, violations } = bodyObject(req.body);
  out.push(...violations);
  if (violations.length > 0) return out;
  out.push(...checkKnownMembers('body', obj, ['registrationConfig', 'removeAutoRegistration']));
  const config = obj.registrationConfig;
  if (config !== undefined) {
    if (!isRecord(config)) {
      out.push(`registrationConfig: must be an object, got ${describe(config)}`);
    } else {
      out.push(...checkKnownMembers('registrationConfig', config, ['templateBody', 'roleArn', 'templateName']));
      out.push(...checkString('registrationConfig.templateBody', config.templateBody, { max: 10240 }));
      out.push(...checkString('registrationConfig.roleArn', config.roleArn, { min: 20, max: 2048 }));
      out.push(...checkString('registrationConfig.templateName', config.templateName, { min: 1, max: 36, pattern: /^[0-9A-Za-z_-]+$/ }));
    }
  }
  out.push(...checkBoolean('removeAutoRegistration', obj.removeAutoRegistration));
  return out;
}

/** ListPrincipalThings: GET /principals/things, principal in the `x-amzn-principal` header. */
export function checkListPrincipalThings(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkHeaderString(req, 'x-amzn-principal', true),
    ...checkKnownQuery(q, ['nextToken', 'maxResults']),
    ...checkQueryString(q, 'nextToken', {}),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkNoBody(req),
  ];
}

/** A paged GET of one thing's related resources: `thingName` in the path, `nextToken` and `maxResults` (1-250) in the query. */
function checkPagedThingGet(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkString('thingName', req.pathParams.thingName, THING_NAME, true),
    ...checkKnownQuery(q, ['nextToken', 'maxResults']),
    ...checkQueryString(q, 'nextToken', {}),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
  ];
}

/** ListThingPrincipals: GET /things/{thingName}/principals (maxResults is RegistryMaxResults, 1-250). */
export function checkListThingPrincipals(req: RequestParts): string[] {
  return [...checkPagedThingGet(req), ...checkNoBody(req)];
}

/** RemoveThingFromThingGroup: PUT /thing-groups/removeThingFromThingGroup. */
export function checkRemoveThingFromThingGroup(req: RequestParts): string[] {
  const query = checkKnownQuery(req.query, []);
  if (req.body === undefined) return [...query, 'body: is required'];
  const { obj, violations } = bodyObject(req.body);
  if (violations.length > 0) return [...query, ...violations];
  const out = [...query, ...checkKnownMembers('body', obj, ['thingGroupName', 'thingGroupArn', 'thingName', 'thingArn'])];
  out.push(...checkString('thingGroupName', obj.thingGroupName, THING_GROUP_NAME));
  out.push(...checkString('thingGroupArn', obj.thingGroupArn, {}));
  out.push(...checkString('thingName', obj.thingName, THING_NAME));
  out.push(...checkString('thingArn', obj.thingArn, {}));
  if (obj.thingGroupName === undefined && obj.thingGroupArn === undefined) out.push('thingGroupName or thingGroupArn: one of them is required');
  if (obj.thingName === undefined && obj.thingArn === undefined) out.push('thingName or thingArn: one of them is required');
  return out;
}

/** ListThingGroupsForThing: GET /things/{thingName}/thing-groups. */
export function checkListThingGroupsForThing(req: RequestParts): string[] {
  return checkPagedThingGet(req);
}

/** GetPolicy (GET /policies/{policyName}) and ListPolicyVersions (GET /policies/{policyName}/version). */
export function checkPolicyNamePath(req: RequestParts): string[] {
  return [
    ...checkString('policyName', req.pathParams.policyName, POLICY_NAME, true),
    ...checkKnownQuery(req.query, []),
  ];
}

/** GetPolicyVersion, SetDefaultPolicyVersion (PATCH) and DeletePolicyVersion (DELETE) on /policies/{policyName}/version/{policyVersionId}. */
export function checkPolicyVersionPath(req: RequestParts): string[] {
  return [
    ...checkString('policyName', req.pathParams.policyName, POLICY_NAME, true),
    ...checkString('policyVersionId', req.pathParams.policyVersionId, POLICY_VERSION_ID, true),
    ...checkKnownQuery(req.query, []),
    ...checkNoBody(req),
  ];
}

/** CreatePolicyVersion: POST /policies/{policyName}/version?setAsDefault=, body `{"policyDocument": "..."}`. */
export function checkCreatePolicyVersion(req: RequestParts): string[] {
  const out = [
    ...checkString('policyName', req.pathParams.policyName, POLICY_NAME, true),
    ...checkKnownQuery(req.query, ['setAsDefault']),
    ...checkQueryBoolean(req.query, 'setAsDefault'),
  ];
  if (req.body === undefined) return [...out, 'body: is required'];
  const { obj, violations } = bodyObject(req.body);
  out.push(...violations);
  if (violations.length > 0) return out;
  out.push(...checkKnownMembers('body', obj, ['policyDocument']));
  const doc = obj.policyDocument;
  out.push(...checkString('policyDocument', doc, { max: 404600 }, true));
  if (typeof doc === 'string') {
    const significant = doc.replace(/\s/g, '').length;
    if (significant === 0) out.push('policyDocument: is empty (the minimum is 1 character, excluding whitespace)');
    if (significant > POLICY_DOCUMENT_MAX_NON_WHITESPACE) {
      out.push(`policyDocument: ${significant} characters excluding whitespace exceeds the maximum ${POLICY_DOCUMENT_MAX_NON_WHITESPACE}`);
    }
  }
  return out;
}

/** ListDetectMitigationActionsExecutions: GET /detect/mitigationactions/executions. */
export function checkListDetectMitigationActionsExecutions(req: RequestParts): string[] {
  const q = req.query;
  const out = [
    ...checkKnownQuery(q, ['taskId', 'violationId', 'thingName', 'startTime', 'endTime', 'maxResults', 'nextToken']),
    ...checkQueryString(q, 'taskId', MITIGATION_TASK_ID),
    ...checkQueryString(q, 'violationId', VIOLATION_ID),
    ...checkQueryString(q, 'thingName', DEVICE_DEFENDER_THING_NAME),
    ...checkQueryTimestamp(q, 'startTime'),
    ...checkQueryTimestamp(q, 'endTime'),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
  const hasTask = q.taskId !== undefined;
  const hasStart = q.startTime !== undefined;
  const hasEnd = q.endTime !== undefined;
  if (hasStart !== hasEnd) out.push('startTime/endTime: specify both or neither');
  if (hasTask && (hasStart || hasEnd)) out.push('taskId and startTime/endTime: specify either taskId or a time window, not both');
  if (!hasTask && !hasStart && !hasEnd) out.push('taskId or startTime/endTime: one of them is required');
  return out;
}

/** ListActiveViolations' behaviorCriteriaType filter (BehaviorCriteriaType). */
export const BEHAVIOR_CRITERIA_TYPES = ['STATIC', 'STATISTICAL', 'MACHINE_LEARNING'] as const;
export type BehaviorCriteriaType = typeof BEHAVIOR_CRITERIA_TYPES[number];
/** A violation's verificationState (VerificationState). */
export const VERIFICATION_STATES = ['FALSE_POSITIVE', 'BENIGN_POSITIVE', 'TRUE_POSITIVE', 'UNKNOWN'] as const;
export type VerificationState = typeof VERIFICATION_STATES[number];

/** ListActiveViolations: GET /active-violations; every member is an optional query parameter. */
export function checkListActiveViolations(req: RequestParts): string[] {
  const q = req.query;
  return [
    ...checkKnownQuery(q, ['thingName', 'securityProfileName', 'behaviorCriteriaType', 'listSuppressedAlerts', 'verificationState', 'nextToken', 'maxResults']),
    ...checkQueryString(q, 'thingName', DEVICE_DEFENDER_THING_NAME),
    ...checkQueryString(q, 'securityProfileName', SECURITY_PROFILE_NAME),
    ...checkQueryEnum(q, 'behaviorCriteriaType', BEHAVIOR_CRITERIA_TYPES),
    ...checkQueryBoolean(q, 'listSuppressedAlerts'),
    ...checkQueryEnum(q, 'verificationState', VERIFICATION_STATES),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
}

/**
 * ListSecurityProfiles: GET /security-profiles; every member is an optional query parameter, and
 * `dimensionName` and `metricName` cannot be used in the same request.
 */
export function checkListSecurityProfiles(req: RequestParts): string[] {
  const q = req.query;
  const out = [
    ...checkKnownQuery(q, ['nextToken', 'maxResults', 'dimensionName', 'metricName']),
    ...checkQueryString(q, 'dimensionName', DIMENSION_OR_METRIC_NAME),
    ...checkQueryString(q, 'metricName', DIMENSION_OR_METRIC_NAME),
    ...checkQueryInteger(q, 'maxResults', MAX_RESULTS.min, MAX_RESULTS.max),
    ...checkQueryString(q, 'nextToken', {}),
  ];
  if (q.dimensionName !== undefined && q.metricName !== undefined) out.push('query dimensionName and metricName: cannot be used in the same request');
  return out;
}

/**
 * A finding's `nonCompliantResource` (seeding aid, same rules as the API's ResourceIdentifier):
 * a known resourceType, known identifier members, and the identifier the type needs
 * (DEVICE_CERTIFICATE: deviceCertificateId; CA_CERTIFICATE: caCertificateId; IOT_POLICY:
 * policyVersionIdentifier.policyName). Returns violation strings.
 */
export function checkNonCompliantResource(path: string, resource: unknown): string[] {
  if (!isRecord(resource)) return [`${path}: must be an object, got ${describe(resource)}`];
  const out = checkKnownMembers(path, resource, ['resourceType', 'resourceIdentifier', 'additionalInfo']);
  out.push(...checkEnum(`${path}.resourceType`, resource.resourceType, RESOURCE_TYPES, true));
  const id = resource.resourceIdentifier;
  if (!isRecord(id)) return [...out, `${path}.resourceIdentifier: must be an object, got ${describe(id)}`];
  out.push(...checkKnownMembers(`${path}.resourceIdentifier`, id, RESOURCE_IDENTIFIER_MEMBERS));
  for (const [k, v] of Object.entries(id)) {
    if (k === 'policyVersionIdentifier' || k === 'issuerCertificateIdentifier') {
      if (!isRecord(v)) out.push(`${path}.resourceIdentifier.${k}: must be an object, got ${describe(v)}`);
    } else if (typeof v !== 'string') {
      out.push(`${path}.resourceIdentifier.${k}: must be a string, got ${describe(v)}`);
    }
  }
  const need = (member: string, present: boolean): void => {
    if (!present) out.push(`${path}.resourceIdentifier.${member}: is required for resourceType ${String(resource.resourceType)}`);
  };
  switch (resource.resourceType) {
    case 'DEVICE_CERTIFICATE':
      need('deviceCertificateId', typeof id.deviceCertificateId === 'string');
      break;
    case 'CA_CERTIFICATE':
      need('caCertificateId', typeof id.caCertificateId === 'string');
      break;
    case 'IOT_POLICY': {
      const pvi = id.policyVersionIdentifier;
      need('policyVersionIdentifier.policyName', isRecord(pvi) && typeof pvi.policyName === 'string');
      if (isRecord(pvi)) out.push(...checkKnownMembers(`${path}.resourceIdentifier.policyVersionIdentifier`, pvi, ['policyName', 'policyVersionId']));
      break;
    }
    default:
      break;
  }
  const info = resource.additionalInfo;
  if (info !== undefined && (!isRecord(info) || Object.values(info).some((v) => typeof v !== 'string'))) {
    out.push(`${path}.additionalInfo: must be a map of strings`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Audit finding suppressions
// ---------------------------------------------------------------------------------------------

/** AuditDescription and IssuerCertificateSubject: `[\p{Graph}\x20]*` (Java's POSIX classes: printable ASCII). */
export const PRINTABLE: StringRule = { pattern: /^[\x20-\x7E]*$/ };
export const AUDIT_DESCRIPTION: StringRule = { max: 1000, ...PRINTABLE };
const ACCOUNT_ID: StringRule = { min: 12, max: 12, pattern: /^[0-9]+$/ };
const ROLE_ARN: StringRule = { min: 20, max: 2048 };
const ROLE_ALIAS_ARN: StringRule = { min: 1, max: 2048 };
const ISSUER_SUBJECT: StringRule = { max: 1000, ...PRINTABLE };
const ISSUER_ID: StringRule = { max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/ };
const ISSUER_SERIAL: StringRule = { max: 20, pattern: /^[a-fA-F0-9:]+$/ };
/** The model sets no constraint on these members beyond being strings. */
const ANY_STRING: StringRule = {};

/**
 * The API's ResourceIdentifier with every member's constraint; `required` when the operation
 * requires it. Exactly one member names the resource (AWS answers InvalidRequestException for
 * none or several).
 */
export function checkResourceIdentifier(path: string, value: unknown, required: boolean): string[] {
  if (value === undefined) return required ? [`${path}: is required`] : [];
  if (!isRecord(value)) return [`${path}: must be an object, got ${describe(value)}`];
  const out = checkKnownMembers(path, value, RESOURCE_IDENTIFIER_MEMBERS);
  out.push(...checkString(`${path}.deviceCertificateId`, value.deviceCertificateId, CERTIFICATE_ID));
  out.push(...checkString(`${path}.caCertificateId`, value.caCertificateId, CERTIFICATE_ID));
  out.push(...checkString(`${path}.cognitoIdentityPoolId`, value.cognitoIdentityPoolId, ANY_STRING));
  out.push(...checkString(`${path}.clientId`, value.clientId, ANY_STRING));
  out.push(...checkString(`${path}.account`, value.account, ACCOUNT_ID));
  out.push(...checkString(`${path}.iamRoleArn`, value.iamRoleArn, ROLE_ARN));
  out.push(...checkString(`${path}.roleAliasArn`, value.roleAliasArn, ROLE_ALIAS_ARN));
  out.push(...checkString(`${path}.deviceCertificateArn`, value.deviceCertificateArn, ANY_STRING));
  const pvi = value.policyVersionIdentifier;
  if (pvi !== undefined) {
    if (!isRecord(pvi)) {
      out.push(`${path}.policyVersionIdentifier: must be an object, got ${describe(pvi)}`);
    } else {
      out.push(...checkKnownMembers(`${path}.policyVersionIdentifier`, pvi, ['policyName', 'policyVersionId']));
      out.push(...checkString(`${path}.policyVersionIdentifier.policyName`, pvi.policyName, POLICY_NAME));
      out.push(...checkString(`${path}.policyVersionIdentifier.policyVersionId`, pvi.policyVersionId, POLICY_VERSION_ID));
    }
  }
  const ici = value.issuerCertificateIdentifier;
  if (ici !== undefined) {
    if (!isRecord(ici)) {
      out.push(`${path}.issuerCertificateIdentifier: must be an object, got ${describe(ici)}`);
    } else {
      out.push(...checkKnownMembers(`${path}.issuerCertificateIdentifier`, ici, ['issuerCertificateSubject', 'issuerId', 'issuerCertificateSerialNumber']));
      out.push(...checkString(`${path}.issuerCertificateIdentifier.issuerCertificateSubject`, ici.issuerCertificateSubject, ISSUER_SUBJECT));
      out.push(...checkString(`${path}.issuerCertificateIdentifier.issuerId`, ici.issuerId, ISSUER_ID));
      out.push(...checkString(`${path}.issuerCertificateIdentifier.issuerCertificateSerialNumber`, ici.issuerCertificateSerialNumber, ISSUER_SERIAL));
    }
  }
  return out;
}

/** The members every suppression operation shares: checkName and resourceIdentifier (both required but in List). */
function checkSuppressionKey(obj: Record<string, unknown>, required: boolean): string[] {
  const out: string[] = [];
  if (obj.checkName === undefined) {
    if (required) out.push('checkName: is required');
  } else {
    out.push(...checkAuditCheckName('checkName', obj.checkName));
  }
  out.push(...checkResourceIdentifier('resourceIdentifier', obj.resourceIdentifier, required));
  return out;
}

/** CreateAuditSuppression: POST /audit/suppressions/create. */
export function checkCreateAuditSuppression(req: RequestParts): string[] {
  const { obj, violations } = bodyObject(req.body);
  if (violations.length > 0) return violations;
  return [
    ...checkKnownMembers('body', obj, ['checkName', 'resourceIdentifier', 'expirationDate', 'suppressIndefinitely', 'description', 'clientRequestToken']),
    ...checkSuppressionKey(obj, true),
    ...checkBodyTimestamp('expirationDate', obj.expirationDate),
    ...checkBoolean('suppressIndefinitely', obj.suppressIndefinitely),
    ...checkString('description', obj.description, AUDIT_DESCRIPTION),
    ...checkString('clientRequestToken', obj.clientRequestToken, CLIENT_REQUEST_TOKEN, true),
  ];
}

/** UpdateAuditSuppression: PATCH /audit/suppressions/update. */
export function checkUpdateAuditSuppression(req: RequestParts): string[] {
  const { obj, violations } = bodyObject(req.body);
  if (violations.length > 0) return violations;
  return [
    ...checkKnownMembers('body', obj, ['checkName', 'resourceIdentifier', 'expirationDate', 'suppressIndefinitely', 'description']),
    ...checkSuppressionKey(obj, true),
    ...checkBodyTimestamp('expirationDate', obj.expirationDate),
    ...checkBoolean('suppressIndefinitely', obj.suppressIndefinitely),
    ...checkString('description', obj.description, AUDIT_DESCRIPTION),
  ];
}

/** DeleteAuditSuppression and DescribeAuditSuppression: POST /audit/suppressions/{delete,describe}. */
export function checkAuditSuppressionKeyRequest(req: RequestParts): string[] {
  const { obj, violations } = bodyObject(req.body);
  if (violations.length > 0) return violations;
  return [...checkKnownMembers('body', obj, ['checkName', 'resourceIdentifier']), ...checkSuppressionKey(obj, true)];
}

/** ListAuditSuppressions: POST /audit/suppressions/list. */
export function checkListAuditSuppressions(req: RequestParts): string[] {
  const { obj, violations } = bodyObject(req.body);
  if (violations.length > 0) return violations;
  const out = [
    ...checkKnownMembers('body', obj, ['checkName', 'resourceIdentifier', 'ascendingOrder', 'nextToken', 'maxResults']),
    ...checkSuppressionKey(obj, false),
    ...checkBoolean('ascendingOrder', obj.ascendingOrder),
    ...checkBodyInteger('maxResults', obj.maxResults, MAX_RESULTS.min, MAX_RESULTS.max),
  ];
  if (obj.nextToken !== undefined && typeof obj.nextToken !== 'string') out.push(`nextToken: must be a string, got ${describe(obj.nextToken)}`);
  return out;
}

/** The operations the emulator serves, with their HTTP binding and request checks. */
export interface OperationModel {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path segments; `{label}` segments bind path parameters. */
  readonly path: readonly string[];
  readonly check: (req: RequestParts) => string[];
}

function op(name: string, method: OperationModel['method'], path: string, check: OperationModel['check']): OperationModel {
  return { name, method, path: path.split('/').filter((s) => s.length > 0), check };
}

export const OPERATIONS: readonly OperationModel[] = [
  op('StartAuditMitigationActionsTask', 'POST', '/audit/mitigationactions/tasks/{taskId}', checkStartAuditMitigationActionsTask),
  op('DescribeAuditMitigationActionsTask', 'GET', '/audit/mitigationactions/tasks/{taskId}', checkMitigationTaskIdPath),
  op('ListAuditMitigationActionsTasks', 'GET', '/audit/mitigationactions/tasks', checkListAuditMitigationActionsTasks),
  op('CancelAuditMitigationActionsTask', 'PUT', '/audit/mitigationactions/tasks/{taskId}/cancel', checkMitigationTaskIdPath),
  op('ListAuditMitigationActionsExecutions', 'GET', '/audit/mitigationactions/executions', checkListAuditMitigationActionsExecutions),
  op('ListAuditFindings', 'POST', '/audit/findings', checkListAuditFindings),
  op('DescribeAuditFinding', 'GET', '/audit/findings/{findingId}', checkDescribeAuditFinding),
  op('CreateAuditSuppression', 'POST', '/audit/suppressions/create', checkCreateAuditSuppression),
  op('UpdateAuditSuppression', 'PATCH', '/audit/suppressions/update', checkUpdateAuditSuppression),
  op('DeleteAuditSuppression', 'POST', '/audit/suppressions/delete', checkAuditSuppressionKeyRequest),
  op('DescribeAuditSuppression', 'POST', '/audit/suppressions/describe', checkAuditSuppressionKeyRequest),
  op('ListAuditSuppressions', 'POST', '/audit/suppressions/list', checkListAuditSuppressions),
  op('DescribeAuditTask', 'GET', '/audit/tasks/{taskId}', checkDescribeAuditTask),
  op('ListAuditTasks', 'GET', '/audit/tasks', checkListAuditTasks),
  op('StartDetectMitigationActionsTask', 'PUT', '/detect/mitigationactions/tasks/{taskId}', checkStartDetectMitigationActionsTask),
  op('DescribeDetectMitigationActionsTask', 'GET', '/detect/mitigationactions/tasks/{taskId}', checkMitigationTaskIdPath),
  op('ListDetectMitigationActionsTasks', 'GET', '/detect/mitigationactions/tasks', checkListDetectMitigationActionsTasks),
  op('CancelDetectMitigationActionsTask', 'PUT', '/detect/mitigationactions/tasks/{taskId}/cancel', checkMitigationTaskIdPath),
  op('ListDetectMitigationActionsExecutions', 'GET', '/detect/mitigationactions/executions', checkListDetectMitigationActionsExecutions),
  op('ListActiveViolations', 'GET', '/active-violations', checkListActiveViolations),
  op('ListSecurityProfiles', 'GET', '/security-profiles', checkListSecurityProfiles),
  // Resources the mitigation actions change. The SDK's model names every certificate label
  // `{certificateId}`, also under /cacertificate (the API reference writes `{caCertificateId}`).
  op('DescribeCertificate', 'GET', '/certificates/{certificateId}', checkDescribeCertificate),
  op('UpdateCertificate', 'PUT', '/certificates/{certificateId}', checkUpdateCertificate),
  op('DescribeCACertificate', 'GET', '/cacertificate/{certificateId}', checkDescribeCACertificate),
  op('UpdateCACertificate', 'PUT', '/cacertificate/{certificateId}', checkUpdateCACertificate),
  op('ListPrincipalThings', 'GET', '/principals/things', checkListPrincipalThings),
  op('RemoveThingFromThingGroup', 'PUT', '/thing-groups/removeThingFromThingGroup', checkRemoveThingFromThingGroup),
  op('ListThingGroupsForThing', 'GET', '/things/{thingName}/thing-groups', checkListThingGroupsForThing),
  op('ListThingPrincipals', 'GET', '/things/{thingName}/principals', checkListThingPrincipals),
  op('GetPolicy', 'GET', '/policies/{policyName}', checkPolicyNamePath),
  op('ListPolicyVersions', 'GET', '/policies/{policyName}/version', checkPolicyNamePath),
  op('CreatePolicyVersion', 'POST', '/policies/{policyName}/version', checkCreatePolicyVersion),
  op('GetPolicyVersion', 'GET', '/policies/{policyName}/version/{policyVersionId}', checkPolicyVersionPath),
  op('SetDefaultPolicyVersion', 'PATCH', '/policies/{policyName}/version/{policyVersionId}', checkPolicyVersionPath),
  op('DeletePolicyVersion', 'DELETE', '/policies/{policyName}/version/{policyVersionId}', checkPolicyVersionPath),
];

export interface RouteMatch {
  readonly operation: OperationModel;
  readonly pathParams: Record<string, string>;
}

/**
 * Finds the operation for a method and a raw (still percent-encoded) path. Labels are decoded;
 * a label that is not valid percent-encoding makes the route not match.
 */
export function matchOperation(method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  for (const operation of OPERATIONS) {
    if (operation.method !== method || operation.path.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = operation.path[i];
      const got = segments[i];
      if (want.startsWith('{') && want.endsWith('}')) {
        if (got === '') { ok = false; break; }
        try {
          pathParams[want.slice(1, -1)] = decodeURIComponent(got);
        } catch {
          ok = false;
        }
      } else if (want !== got) {
        ok = false;
      }
    }
    if (ok) return { operation, pathParams };
  }
  return undefined;
}
