"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/handlers/audit-suppression.lambda.ts
var audit_suppression_lambda_exports = {};
__export(audit_suppression_lambda_exports, {
  DELETE_CLIENT_LIMITS: () => DELETE_CLIENT_LIMITS,
  REPORT_MARGIN_MS: () => REPORT_MARGIN_MS,
  SAFETY_MARGIN_MS: () => SAFETY_MARGIN_MS,
  handler: () => handler,
  parseSuppressionProps: () => parseSuppressionProps,
  suppressionPhysicalId: () => suppressionPhysicalId
});
module.exports = __toCommonJS(audit_suppression_lambda_exports);
var import_client_iot2 = require("@aws-sdk/client-iot");

// src/contract/custom-resources.ts
var CUSTOM_RESOURCE_REPORT_PROPS = {
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  MITIGATION_NAME: "MitigationName",
  /** Where permanent failures are reported too (an SNS topic ARN); absent without a report topic. */
  REPORT_TOPIC_ARN: "ReportTopicArn",
  /** The event bus (ARN) the resource's events go to; absent = the account's default bus. */
  EVENT_BUS_ARN: "EventBusArn"
};
var AUDIT_SUPPRESSION_PROPS = {
  CHECK_NAME: "CheckName",
  RESOURCE_IDENTIFIER: "ResourceIdentifier",
  /** ISO 8601 date-time; absent when `SuppressIndefinitely` is 'true'. */
  EXPIRATION_DATE: "ExpirationDate",
  SUPPRESS_INDEFINITELY: "SuppressIndefinitely",
  /** What the user wrote; the handler appends the ownership marker (`withSuppressionMarker`). */
  DESCRIPTION: "Description",
  ...CUSTOM_RESOURCE_REPORT_PROPS
};
var AUDIT_MITIGATION_TASK_PROPS = {
  AUDIT_TASK_ID: "AuditTaskId",
  FINDING_IDS: "FindingIds",
  REASON_CODE_FILTER: "ReasonCodeFilter",
  /** check name -> action names, applied in this order. */
  AUDIT_CHECK_TO_ACTIONS_MAPPING: "AuditCheckToActionsMapping",
  /** 'true' or 'false'. */
  CANCEL_ON_DELETE: "CancelOnDelete",
  RUN_ID: "RunId",
  ...CUSTOM_RESOURCE_REPORT_PROPS
};
var SECURITY_HUB_INTEGRATION_PROPS = {
  PARTITION: "Partition",
  ACCOUNT: "Account",
  REGION: "Region",
  ...CUSTOM_RESOURCE_REPORT_PROPS
};

// src/contract/suppression.ts
var SUPPRESSION_MARKER = { PREFIX: "[cdk-device-defender:", PENDING: " pending", SUFFIX: "]" };
var MARKER = /^(?:(.*) )?\[cdk-device-defender:(arn:[^\s[\]]+)\/([A-Za-z0-9]{1,255})( pending)?\]$/s;
function withSuppressionMarker(description, owner) {
  const { PREFIX, PENDING, SUFFIX } = SUPPRESSION_MARKER;
  const marker = `${PREFIX}${owner.stackId}/${owner.logicalResourceId}${owner.pending ? PENDING : ""}${SUFFIX}`;
  return description ? `${description} ${marker}` : marker;
}
function parseSuppressionDescription(description) {
  const match = MARKER.exec(description ?? "");
  if (!match) {
    return { text: description ?? "" };
  }
  return { text: match[1] ?? "", owner: { stackId: match[2], logicalResourceId: match[3], pending: match[4] !== void 0 } };
}
var PRINTABLE = /^[\x20-\x7E]*$/;
var AUDIT_SUPPRESSION_RULES = {
  /** CertificateId: 64 characters, hexadecimal, with an optional `0x` (then 62 hex digits). */
  certificateId: { min: 64, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '64 characters: hexadecimal digits, optionally after "0x"' },
  // The model sets no length or pattern for these two: only that they are not empty.
  cognitoIdentityPoolId: { min: 1, max: 2048, allowed: "a non-empty identity pool id" },
  clientId: { min: 1, max: 2048, allowed: "a non-empty client id" },
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, allowed: "1 to 128 letters, digits and + = , . @ _ -" },
  policyVersionId: { min: 1, max: 16, pattern: /^[0-9]+$/, allowed: "a version number (digits)" },
  account: { min: 12, max: 12, pattern: /^[0-9]+$/, allowed: "12 digits" },
  iamRoleArn: { min: 20, max: 2048, allowed: "an IAM role ARN of 20 to 2048 characters" },
  roleAliasArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: "a role alias ARN (arn:...) of 1 to 2048 characters" },
  issuerCertificateSubject: { min: 1, max: 1e3, pattern: PRINTABLE, allowed: "1 to 1000 printable characters" },
  issuerId: { min: 1, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '1 to 64 characters: hexadecimal digits, optionally after "0x"' },
  issuerCertificateSerialNumber: { min: 1, max: 20, pattern: /^[a-fA-F0-9:]+$/, allowed: '1 to 20 hexadecimal digits and ":"' },
  deviceCertificateArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: "a certificate ARN (arn:...)" },
  description: { min: 0, max: 1e3, pattern: PRINTABLE, allowed: "at most 1000 printable ASCII characters" }
};
function stringRuleProblem(value, rule) {
  const length = [...value].length;
  if (length < rule.min || length > rule.max || rule.pattern && !rule.pattern.test(value)) {
    return `must be ${rule.allowed}`;
  }
  return void 0;
}

// src/handlers/shared/ids.ts
var import_crypto = require("crypto");
function sha256Hex(...parts) {
  return (0, import_crypto.createHash)("sha256").update(parts.join("\0")).digest("hex");
}
function canonicalJson(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== void 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// src/handlers/audit-suppression/audit-suppression-plan.ts
var CHECK_NAME = /^[A-Z0-9_]{1,128}$/;
function invalid(prop, value, allowed) {
  throw new Error(`invalid ${prop} ${JSON.stringify(value)}: ${allowed}`);
}
function str(prop, value, rule) {
  if (typeof value !== "string") {
    return invalid(prop, value, `must be a string (${rule.allowed})`);
  }
  const problem = stringRuleProblem(value, rule);
  if (problem) {
    invalid(prop, value, problem);
  }
  return value;
}
function record(prop, value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(prop, value, "must be an object");
  }
  return value;
}
var SIMPLE_MEMBERS = [
  "deviceCertificateId",
  "caCertificateId",
  "cognitoIdentityPoolId",
  "clientId",
  "account",
  "iamRoleArn",
  "roleAliasArn",
  "deviceCertificateArn"
];
var RULE_OF = {
  deviceCertificateId: AUDIT_SUPPRESSION_RULES.certificateId,
  caCertificateId: AUDIT_SUPPRESSION_RULES.certificateId,
  cognitoIdentityPoolId: AUDIT_SUPPRESSION_RULES.cognitoIdentityPoolId,
  clientId: AUDIT_SUPPRESSION_RULES.clientId,
  account: AUDIT_SUPPRESSION_RULES.account,
  iamRoleArn: AUDIT_SUPPRESSION_RULES.iamRoleArn,
  roleAliasArn: AUDIT_SUPPRESSION_RULES.roleAliasArn,
  deviceCertificateArn: AUDIT_SUPPRESSION_RULES.deviceCertificateArn
};
var NESTED_MEMBERS = {
  policyVersionIdentifier: { policyName: AUDIT_SUPPRESSION_RULES.policyName, policyVersionId: AUDIT_SUPPRESSION_RULES.policyVersionId },
  issuerCertificateIdentifier: {
    issuerCertificateSubject: AUDIT_SUPPRESSION_RULES.issuerCertificateSubject,
    issuerId: AUDIT_SUPPRESSION_RULES.issuerId,
    issuerCertificateSerialNumber: AUDIT_SUPPRESSION_RULES.issuerCertificateSerialNumber
  }
};
var ALL_MEMBERS = [...SIMPLE_MEMBERS, ...Object.keys(NESTED_MEMBERS)];
function parseResourceIdentifier(value) {
  const id = record(AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER, value);
  const members = Object.keys(id);
  if (members.length !== 1 || !ALL_MEMBERS.includes(members[0])) {
    return invalid(AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER, value, `must have exactly one of ${ALL_MEMBERS.join(", ")}`);
  }
  const [member] = members;
  const prop = `${AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER}.${member}`;
  const nested = NESTED_MEMBERS[member];
  if (nested) {
    const parts = record(prop, id[member]);
    const checked = Object.entries(nested).map(([part, rule]) => [part, str(`${prop}.${part}`, parts[part], rule)]);
    return { [member]: Object.fromEntries(checked) };
  }
  return { [member]: str(prop, id[member], RULE_OF[member]) };
}
function parseSuppressionProps(properties) {
  const checkName = properties[AUDIT_SUPPRESSION_PROPS.CHECK_NAME];
  if (typeof checkName !== "string" || !CHECK_NAME.test(checkName)) {
    invalid(AUDIT_SUPPRESSION_PROPS.CHECK_NAME, checkName, "must be an audit check name (e.g. DEVICE_CERTIFICATE_SHARED_CHECK)");
  }
  const resourceIdentifier = parseResourceIdentifier(properties[AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER]);
  const indefinitely = properties[AUDIT_SUPPRESSION_PROPS.SUPPRESS_INDEFINITELY] ?? "false";
  if (indefinitely !== "true" && indefinitely !== "false") {
    invalid(AUDIT_SUPPRESSION_PROPS.SUPPRESS_INDEFINITELY, indefinitely, "must be 'true' or 'false'");
  }
  const suppressIndefinitely = indefinitely === "true";
  const expiration = properties[AUDIT_SUPPRESSION_PROPS.EXPIRATION_DATE];
  let expirationDate;
  if (expiration !== void 0) {
    expirationDate = typeof expiration === "string" ? new Date(expiration) : void 0;
    if (!expirationDate || Number.isNaN(expirationDate.getTime())) {
      invalid(AUDIT_SUPPRESSION_PROPS.EXPIRATION_DATE, expiration, "must be an ISO 8601 date-time");
    }
  }
  if (suppressIndefinitely === (expirationDate !== void 0)) {
    invalid(`${AUDIT_SUPPRESSION_PROPS.EXPIRATION_DATE}/${AUDIT_SUPPRESSION_PROPS.SUPPRESS_INDEFINITELY}`, { expiration, indefinitely }, "give exactly one: an ExpirationDate, or SuppressIndefinitely 'true'");
  }
  const description = properties[AUDIT_SUPPRESSION_PROPS.DESCRIPTION];
  return {
    checkName,
    resourceIdentifier,
    expirationDate,
    suppressIndefinitely,
    description: description === void 0 ? void 0 : str(AUDIT_SUPPRESSION_PROPS.DESCRIPTION, description, AUDIT_SUPPRESSION_RULES.description)
  };
}
var PHYSICAL_ID = /^(suppression:[A-Z0-9_]{1,128}:[a-zA-Z]+:[0-9a-f]{32})(?::from:([A-Za-z0-9]{1,255}))?$/;
function suppressionPhysicalId(checkName, resourceIdentifier, adoptedFrom) {
  const member = Object.keys(resourceIdentifier)[0];
  const digest = sha256Hex(canonicalJson(resourceIdentifier)).slice(0, 32);
  return `suppression:${checkName}:${member}:${digest}${adoptedFrom ? `:from:${adoptedFrom}` : ""}`;
}
function parseSuppressionPhysicalId(physicalResourceId) {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  return match ? { key: match[1], ...match[2] ? { adoptedFrom: match[2] } : {} } : void 0;
}
function suppressionClientRequestToken(stackId, logicalResourceId, requestId) {
  return sha256Hex(stackId, logicalResourceId, requestId);
}
function planSuppressionRequest(event) {
  const token = suppressionClientRequestToken(event.StackId, event.LogicalResourceId, event.RequestId);
  switch (event.RequestType) {
    case "Create": {
      const props = parseSuppressionProps(event.ResourceProperties);
      return { kind: "create", physicalResourceId: suppressionPhysicalId(props.checkName, props.resourceIdentifier), clientRequestToken: token, props };
    }
    case "Update": {
      const props = parseSuppressionProps(event.ResourceProperties);
      const physicalResourceId = suppressionPhysicalId(props.checkName, props.resourceIdentifier);
      if (parseSuppressionPhysicalId(event.PhysicalResourceId)?.key === physicalResourceId) {
        const old = event.OldResourceProperties?.[AUDIT_SUPPRESSION_PROPS.DESCRIPTION];
        return {
          kind: "update",
          physicalResourceId: event.PhysicalResourceId,
          clientRequestToken: token,
          props,
          released: typeof old === "string" ? old : ""
        };
      }
      return { kind: "create", physicalResourceId, clientRequestToken: token, props, released: props.description ?? "" };
    }
    case "Delete": {
      const physicalResourceId = event.PhysicalResourceId;
      let props;
      try {
        props = parseSuppressionProps(event.ResourceProperties);
      } catch (error) {
        return { kind: "nothing-to-delete", physicalResourceId, reason: `the properties are invalid, so no suppression was created: ${error.message}` };
      }
      const issued = parseSuppressionPhysicalId(physicalResourceId);
      if (!issued || suppressionPhysicalId(props.checkName, props.resourceIdentifier) !== issued.key) {
        return { kind: "nothing-to-delete", physicalResourceId, reason: "the physical id is not the one this handler issues for these properties (the Create failed)" };
      }
      return { kind: "delete", physicalResourceId, props, ...issued.adoptedFrom ? { adoptedFrom: issued.adoptedFrom } : {} };
    }
  }
}

// src/handlers/audit-suppression/suppression-ownership.ts
function ownerText(owner, self) {
  return owner.stackId === self.stackId ? `resource ${owner.logicalResourceId} of this stack` : `resource ${owner.logicalResourceId} of stack ${owner.stackId}`;
}
function decideOnExisting(request, existing) {
  const { self } = request;
  const { text, owner } = parseSuppressionDescription(existing);
  const mine = owner?.stackId === self.stackId && owner.logicalResourceId === self.logicalResourceId;
  const sibling = owner?.stackId === self.stackId && !mine ? owner : void 0;
  const released = owner === void 0 && request.released !== void 0 && existing === request.released;
  const marked = (description, pending = false, logicalResourceId = self.logicalResourceId) => withSuppressionMarker(description, { stackId: self.stackId, logicalResourceId, pending });
  const notOurs = owner ? `it is managed by ${ownerText(owner, self)}` : "it was made outside this resource (console, CLI, or an operator after this resource's was deleted): its description has no ownership marker";
  switch (request.kind) {
    case "create":
      if (mine) {
        return { kind: "write", description: marked(request.description, owner.pending), note: "its marker names this resource (a rollback, or a retried request)" };
      }
      if (sibling) {
        return {
          kind: "write",
          description: marked(request.description, true),
          adoptedFrom: sibling.logicalResourceId,
          note: `taken over from ${ownerText(sibling, self)} (a construct moved to a new logical id); pending until that resource's Delete`
        };
      }
      if (released) {
        return { kind: "write", description: marked(request.description), note: "made for these properties by a release before ownership markers" };
      }
      return { kind: "refuse", reason: notOurs };
    case "update":
      if (mine) {
        return { kind: "write", description: marked(request.description, owner.pending), note: "its marker names this resource" };
      }
      if (released) {
        return { kind: "write", description: marked(request.description), note: "made by this resource before ownership markers: marked now" };
      }
      return { kind: "refuse", reason: notOurs };
    case "delete":
      if (mine && !owner.pending) {
        return { kind: "delete", note: "its marker names this resource" };
      }
      if (mine && request.adoptedFrom) {
        return {
          kind: "remark",
          description: marked(text, false, request.adoptedFrom),
          note: `handed back to resource ${request.adoptedFrom}, which it was taken over from in a deployment that did not finish (a rollback)`
        };
      }
      if (mine) {
        return {
          kind: "refuse",
          reason: "it was taken over from another resource of this stack whose Delete has not confirmed it, and this resource does not know which one: it is left in force; delete it by hand if no AuditSuppression of this stack has this check and resource"
        };
      }
      if (sibling?.pending) {
        return {
          kind: "remark",
          description: marked(text, false, sibling.logicalResourceId),
          note: `left to ${ownerText(sibling, self)}, which took it over (a construct moved to a new logical id): the takeover is confirmed`
        };
      }
      if (sibling) {
        return { kind: "leave", note: `left to ${ownerText(sibling, self)}, which took it over` };
      }
      if (released) {
        return { kind: "delete", note: "made for these properties by a release before ownership markers" };
      }
      return { kind: "refuse", reason: notOurs };
  }
}

// src/handlers/shared/log.ts
function log(level, event, fields = {}) {
  const line = JSON.stringify({ level, event, time: (/* @__PURE__ */ new Date()).toISOString(), ...fields });
  if (level === "ERROR") {
    console.error(line);
  } else {
    console.log(line);
  }
}

// src/contract/telemetry.ts
var PERMANENT_FAILURE_EVENT = "permanent-failure";
var METRIC_NAMESPACE = "CdkDeviceDefender";
var METRIC_DIMENSIONS = {
  /** The mitigation construct's path (`AuditMitigation`, `DetectMitigation`, `AuditMitigationTask`). */
  MITIGATION: "Mitigation",
  /** An audit check name (audit tasks only). */
  CHECK: "CheckName",
  /** A mitigation action's name. */
  ACTION: "ActionName",
  /** The Lambda function's name (permanent failures, as before EMF). */
  FUNCTION: "FunctionName",
  /** The account a hub's metric is about (a spoke's): with `Region`, in the set [Mitigation, Account, Region]. */
  ACCOUNT: "Account",
  /** The region a hub's metric is about (a spoke's). */
  REGION: "Region"
};
var METRICS = {
  /** Tasks started (a retried start that finds the task already there is not counted): [Mitigation]. */
  TASKS_STARTED: "TasksStarted",
  /** Checks left out by the blast-radius limit, one per check per audit: [Mitigation], [Mitigation, CheckName]. */
  CHECKS_EXCLUDED: "ChecksExcluded",
  /** Unsuppressed non-compliant findings of checks with a rule, per audit handled: [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_FOUND: "FindingsFound",
  /** Findings of the checks the blast-radius limit left out: [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_EXCLUDED: "FindingsExcluded",
  /** Findings every action of their check succeeded on (from the finished task's statistics): [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_MITIGATED: "FindingsMitigated",
  /** Plans reported instead of started (dry run): [Mitigation]. */
  DRY_RUN_PLANS: "DryRunPlans",
  /** Audits not mitigated because they started before the reconciler's lookback (decision `ignored`, reason `too-old`): [Mitigation]. */
  AUDITS_TOO_OLD: "AuditsTooOld",
  /** Tasks the audit reconciler started for audits whose notification never arrived: [Mitigation]. */
  AUDITS_RECOVERED: "AuditsRecovered",
  /** Finished tasks whose outcome was reported (once per task): [Mitigation]. */
  TASKS_FINISHED: "TasksFinished",
  /** Action executions of finished tasks, by outcome: [Mitigation], [Mitigation, ActionName], and for audit tasks [Mitigation, CheckName]. */
  EXECUTIONS_SUCCEEDED: "ExecutionsSucceeded",
  EXECUTIONS_FAILED: "ExecutionsFailed",
  EXECUTIONS_SKIPPED: "ExecutionsSkipped",
  EXECUTIONS_CANCELED: "ExecutionsCanceled",
  /** Permanent failures (one per `permanent-failure` log line): [FunctionName], [Mitigation]. */
  PERMANENT_FAILURES: "PermanentFailures",
  /** Security Hub findings the task follower gave a note about a finished task (with or without a status): [Mitigation]. */
  SECURITY_HUB_FINDINGS_UPDATED: "SecurityHubFindingsUpdated",
  /** Of those, the findings it moved from NEW to NOTIFIED (an action on them succeeded): [Mitigation]. */
  SECURITY_HUB_FINDINGS_NOTIFIED: "SecurityHubFindingsNotified"
};
var PERMANENT_FAILURE_METRIC = {
  NAMESPACE: METRIC_NAMESPACE,
  NAME: METRICS.PERMANENT_FAILURES,
  DIMENSION: METRIC_DIMENSIONS.FUNCTION,
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: "functionName"
};
var EVENT_SOURCE = "cdk-device-defender";
var EVENT_DETAIL_TYPES = {
  /** A task was started (detail: `TaskStartedDetail`). */
  TASK_STARTED: "Mitigation Task Started",
  /** The blast-radius limit left checks out of an audit's task (detail: `ChecksExcludedDetail`). */
  CHECKS_EXCLUDED: "Mitigation Checks Excluded",
  /** A dry run: what would have been started (detail: `DryRunDetail`). */
  DRY_RUN: "Mitigation Dry Run",
  /** A permanent failure: nothing was started and nothing will be retried (detail: `MitigationFailedDetail`). */
  FAILED: "Mitigation Failed",
  /** A task finished: its executions by outcome (detail: `TaskOutcomeDetail`). */
  TASK_OUTCOME: "Mitigation Task Outcome"
};

// src/handlers/shared/metrics.ts
var MAX_DIMENSIONS_PER_SET = 30;
var MAX_METRICS = 100;
var MAX_DIMENSION_VALUE = 1024;
function emitMetrics(dimensions, dimensionSets, values) {
  const names = Object.keys(values);
  if (names.length === 0) {
    return;
  }
  if (names.length > MAX_METRICS) {
    throw new Error(`emitMetrics: ${names.length} metrics in one line, at most ${MAX_METRICS}`);
  }
  for (const set of dimensionSets) {
    if (set.length === 0 || set.length > MAX_DIMENSIONS_PER_SET) {
      throw new Error(`emitMetrics: a dimension set has 1 to ${MAX_DIMENSIONS_PER_SET} dimensions, got ${set.length}`);
    }
    for (const key of set) {
      const value = dimensions[key];
      if (typeof value !== "string" || value.length === 0 || value.length > MAX_DIMENSION_VALUE) {
        throw new Error(`emitMetrics: dimension ${key} must be 1 to ${MAX_DIMENSION_VALUE} characters, got ${JSON.stringify(value)}`);
      }
    }
  }
  for (const name of names) {
    if (!Number.isFinite(values[name])) {
      throw new Error(`emitMetrics: ${name} must be a finite number, got ${values[name]}`);
    }
  }
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: METRIC_NAMESPACE,
        Dimensions: dimensionSets,
        Metrics: names.map((Name) => ({ Name, Unit: "Count" }))
      }]
    },
    ...dimensions,
    ...values
  };
  console.log(JSON.stringify(line));
}
function inSpoke(line, spoke) {
  const { MITIGATION, ACCOUNT, REGION } = METRIC_DIMENSIONS;
  const perMitigation = line.dimensionSets.some((set) => set.length === 1 && set[0] === MITIGATION);
  return {
    dimensions: { ...line.dimensions, [ACCOUNT]: spoke.account, [REGION]: spoke.region },
    dimensionSets: perMitigation ? [...line.dimensionSets, [MITIGATION, ACCOUNT, REGION]] : line.dimensionSets,
    values: line.values
  };
}

// src/handlers/shared/effects.ts
function logLine(level, event, fields = {}) {
  return { kind: "log", level, event, fields };
}
function permanentFailure(failure, error, fields = {}) {
  return { kind: "permanent-failure", failure, error, fields };
}
async function perform(effects, reporter, answer) {
  const { spoke } = reporter;
  for (const effect of effects) {
    switch (effect.kind) {
      case "log":
        log(effect.level, effect.event, spoke ? { ...effect.fields, ...spoke } : effect.fields);
        break;
      case "metrics":
        for (const line of effect.lines.map((l) => spoke ? inSpoke(l, spoke) : l)) {
          emitMetrics(line.dimensions, line.dimensionSets, line.values);
        }
        break;
      case "report":
        await reporter.report(effect.level, effect.event, effect.fields, [...effect.events], answer);
        break;
      case "permanent-failure":
        await reporter.permanentFailure(effect.failure, effect.error, effect.fields, answer);
        break;
    }
  }
}

// src/handlers/shared/errors.ts
var PermanentError = class extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
};
function errorName(error) {
  return error instanceof Error ? error.name : typeof error;
}
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
var DeadlineExceededError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "DeadlineExceeded";
  }
};

// src/handlers/audit-suppression/decide.ts
var SuppressionRefusedError = class extends PermanentError {
  constructor(message) {
    super("SuppressionRefused", message);
  }
};
function keyOf(props) {
  return { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
}
function settings(props, description) {
  return { expirationDate: props.expirationDate, suppressIndefinitely: props.suppressIndefinitely, description };
}
function descriptionRefusal(description) {
  if (!stringRuleProblem(description, AUDIT_SUPPRESSION_RULES.description)) {
    return void 0;
  }
  const { text } = parseSuppressionDescription(description);
  const max = AUDIT_SUPPRESSION_RULES.description.max;
  return new SuppressionRefusedError(`the description with its ownership marker is ${description.length} characters, and AWS IoT allows ${max}: shorten the description (${text.length} characters) by at least ${description.length - max}`);
}
function summary(props, found) {
  const expiry = found.suppressIndefinitely ? "indefinitely" : `until ${found.expirationDate?.toISOString() ?? "an unknown date"}`;
  return `an audit suppression of ${props.checkName} for ${JSON.stringify(props.resourceIdentifier)} exists already (suppressed ${expiry}${found.description ? `: ${JSON.stringify(parseSuppressionDescription(found.description).text)}` : ""})`;
}
function refusal(decision) {
  return decision.kind === "refuse" ? decision.reason : decision.kind;
}
var NOT_OWNED_ON_UPDATE = "left as it is: this stack's expiry and description were not applied. Delete it (`npx cdk-device-defender unsuppress <findingId>`) and deploy again for the stack to manage it, or remove this AuditSuppression";
var NOT_OWNED_ON_DELETE = "left in force: this stack does not delete a suppression it does not own. If nobody needs it, delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)";
function notOwned(props, found, decision, reason) {
  return permanentFailure("suppression-not-owned", new SuppressionRefusedError(`${summary(props, found)}, and ${refusal(decision)}`), {
    checkName: props.checkName,
    resourceIdentifier: props.resourceIdentifier,
    reason
  });
}
function written(props, decision, event, physicalResourceId) {
  const refused = descriptionRefusal(decision.description);
  if (refused) {
    return { kind: "fail", error: refused };
  }
  return {
    kind: "write",
    input: { ...keyOf(props), ...settings(props, decision.description) },
    effects: [logLine("INFO", event, { ...keyOf(props), reason: decision.note })],
    physicalResourceId
  };
}
function decideCreate(plan, self, facts) {
  const { props } = plan;
  const description = withSuppressionMarker(props.description, { ...self, pending: false });
  const tooLong = descriptionRefusal(description);
  if (tooLong) {
    return { kind: "fail", error: tooLong };
  }
  if (!facts.created) {
    return { kind: "create", input: { ...keyOf(props), ...settings(props, description), clientRequestToken: plan.clientRequestToken } };
  }
  if (facts.created === "created") {
    return {
      kind: "done",
      effects: [logLine("INFO", "created", { physicalResourceId: plan.physicalResourceId, checkName: props.checkName })],
      reports: [],
      physicalResourceId: plan.physicalResourceId
    };
  }
  if (facts.found === void 0) {
    return { kind: "describe" };
  }
  if (facts.found === null) {
    return { kind: "fail", error: new Error(`the suppression of ${props.checkName} existed when created, and was gone when read: deploy again`) };
  }
  const decision = decideOnExisting({ kind: "create", self, description: props.description, released: plan.released }, facts.found.description ?? "");
  if (decision.kind !== "write") {
    return {
      kind: "fail",
      error: new SuppressionRefusedError(`${summary(props, facts.found)}, and ${refusal(decision)}. AuditSuppression does not adopt it (it adopts only a suppression whose ownership marker names its stack), so that it never changes or deletes one someone else decided on: delete it (\`npx cdk-device-defender unsuppress <findingId>\` or DeleteAuditSuppression) and deploy again, or remove this AuditSuppression.`)
    };
  }
  return written(props, decision, "adopted", suppressionPhysicalId(props.checkName, props.resourceIdentifier, decision.adoptedFrom));
}
function decideUpdate(plan, self, facts) {
  const { props } = plan;
  if (facts.found === void 0) {
    return { kind: "describe" };
  }
  if (facts.found === null) {
    return {
      kind: "recreate",
      effects: [logLine("WARN", "recreated", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: "not found on Update" })],
      plan: { ...plan, kind: "create", released: void 0 }
    };
  }
  const decision = decideOnExisting({ kind: "update", self, description: props.description, released: plan.released }, facts.found.description ?? "");
  if (decision.kind !== "write") {
    return { kind: "done", effects: [], reports: [notOwned(props, facts.found, decision, NOT_OWNED_ON_UPDATE)], physicalResourceId: plan.physicalResourceId };
  }
  return written(props, decision, "updated", plan.physicalResourceId);
}
function decideDelete(plan, self, facts) {
  const { props } = plan;
  const fields = { ...keyOf(props) };
  if (facts.found === void 0) {
    return { kind: "describe" };
  }
  if (facts.found === null) {
    return { kind: "done", effects: [logLine("INFO", "already-deleted", fields)], reports: [] };
  }
  const decision = decideOnExisting({ kind: "delete", self, released: props.description ?? "", adoptedFrom: plan.adoptedFrom }, facts.found.description ?? "");
  switch (decision.kind) {
    case "delete":
      return { kind: "delete", effects: [logLine("INFO", "deleted", { ...fields, reason: decision.note })], ifGone: [logLine("INFO", "already-deleted", fields)] };
    case "remark": {
      const refused = descriptionRefusal(decision.description);
      if (refused) {
        return { kind: "fail", error: refused, remarking: decision.note };
      }
      return {
        kind: "write",
        input: { ...keyOf(props), description: decision.description },
        effects: [logLine("INFO", "left-in-force", { ...fields, reason: decision.note })],
        remarking: decision.note
      };
    }
    case "leave":
      return { kind: "done", effects: [logLine("INFO", "left-in-force", { ...fields, reason: decision.note })], reports: [] };
    default:
      return { kind: "done", effects: [], reports: [notOwned(props, facts.found, decision, NOT_OWNED_ON_DELETE)] };
  }
}
function decideDeleteFailure(props, error, remarking) {
  return [permanentFailure(remarking ? "suppression-marker-not-updated" : "suppression-not-deleted", error, {
    ...keyOf(props),
    reason: remarking ? `the suppression is in force, and its ownership marker was not rewritten (${remarking}): rewrite the marker at the end of its description by hand (UpdateAuditSuppression), or delete it if no AuditSuppression of this stack has this check and resource` : "the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)"
  })];
}

// src/handlers/shared/deadline.ts
async function runWithDeadline(items, work, options) {
  const controller = new AbortController();
  const timeLeft = () => options.remainingMs() - options.marginMs;
  const settled = [];
  const inFlight = /* @__PURE__ */ new Set();
  let next = 0;
  const worker = async () => {
    while (next < items.length && !controller.signal.aborted && timeLeft() > 0) {
      const item = items[next++];
      inFlight.add(item);
      try {
        const result = await work(item, controller.signal);
        if (!controller.signal.aborted) {
          settled.push({ item, result });
        }
      } catch (error) {
        if (!controller.signal.aborted) {
          settled.push({ item, error });
        }
      } finally {
        if (!controller.signal.aborted) {
          inFlight.delete(item);
        }
      }
    }
  };
  let timer;
  const outOfTime = new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeLeft()));
  });
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker);
  await Promise.race([Promise.all(workers), outOfTime]);
  clearTimeout(timer);
  controller.abort();
  return { settled: [...settled], unfinished: [...inFlight], notStarted: items.slice(next) };
}

// src/handlers/shared/events.ts
var MAX_ENTRIES = 10;
var PutEventsFailedError = class extends Error {
  constructor(failures) {
    super(`EventBridge did not accept ${failures.length} event(s): ` + failures.map((f) => `${f.detailType}: ${f.errorCode} ${f.errorMessage ?? ""}`.trim()).join("; "));
    this.failures = failures;
    this.name = "PutEventsFailedError";
  }
};
var client;
async function putEvents(events, eventBus) {
  for (let i = 0; i < events.length; i += MAX_ENTRIES) {
    const batch = events.slice(i, i + MAX_ENTRIES);
    const entries = batch.map((e) => ({
      Source: EVENT_SOURCE,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      ...eventBus ? { EventBusName: eventBus } : {}
    }));
    const sdk = require("@aws-sdk/client-eventbridge");
    client ??= new sdk.EventBridgeClient({});
    const answer = await client.send(new sdk.PutEventsCommand({ Entries: entries }));
    if ((answer.FailedEntryCount ?? 0) > 0) {
      throw new PutEventsFailedError((answer.Entries ?? []).map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.ErrorCode).map(({ entry, index }) => ({ detailType: entries[index]?.DetailType, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage })));
    }
  }
}

// src/handlers/shared/report.ts
var sns;
var MAX_REPORT_BYTES = 262144;
var MAX_EVENT_MESSAGE_CHARS = 4e3;
var CUTS = [{ chars: 16384, items: 1e3 }, { chars: 4096, items: 250 }, { chars: 1024, items: 50 }, { chars: 256, items: 10 }];
var utf8Bytes = (text) => Buffer.byteLength(text, "utf8");
function cutText(text, max) {
  if (text.length <= max) {
    return text;
  }
  const head = text.slice(0, max);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}\u2026 [truncated: ${text.length} characters]`;
}
function cutValue(value, cut) {
  if (typeof value === "string") {
    return cutText(value, cut.chars);
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, cut.items).map((v) => cutValue(v, cut));
    return value.length > cut.items ? [...kept, `\u2026 [truncated: ${value.length} items]`] : kept;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutValue(v, cut)]));
  }
  return value;
}
function fitReport(event, level, fields, maxBytes = MAX_REPORT_BYTES) {
  const render = (f) => JSON.stringify({ event, level, ...f }, void 0, 2);
  const whole = render(fields);
  const size = utf8Bytes(whole);
  if (size <= maxBytes) {
    return { text: whole, fields };
  }
  const over = `the report was ${size} bytes, over SNS's limit of ${maxBytes}`;
  for (const cut of CUTS) {
    const cutFields = {
      ...cutValue(fields, cut),
      truncated: `${over}: strings cut to ${cut.chars} characters, lists to ${cut.items} items`
    };
    const text = render(cutFields);
    if (utf8Bytes(text) <= maxBytes) {
      return { text, fields: cutFields };
    }
  }
  for (let chars = maxBytes; ; chars = Math.floor(chars * 0.9)) {
    const excerptFields = { truncated: `${over}: this is its beginning`, excerpt: cutText(whole, chars) };
    const text = render(excerptFields);
    if (utf8Bytes(text) <= maxBytes) {
      return { text, fields: excerptFields };
    }
  }
}
var Reporter = class _Reporter {
  /**
   * @param topicArn the report topic, if any
   * @param mitigation the construct path (the `Mitigation` dimension and `detail.mitigation`), if known
   * @param eventBus the event bus (ARN) events go to; undefined = the account's default bus
   * @param spoke the account and region every report, event, log line and metric is about (the
   * organization hub's reporter for one spoke); undefined = the function's own
   */
  constructor(topicArn, mitigation, eventBus, spoke) {
    this.topicArn = topicArn;
    this.mitigation = mitigation;
    this.eventBus = eventBus;
    this.spoke = spoke;
  }
  /** This reporter, about `spoke`. */
  about(spoke) {
    return new _Reporter(this.topicArn, this.mitigation, this.eventBus, { account: spoke.account, region: spoke.region });
  }
  /**
   * Logs, publishes to the report topic, then puts `events` on EventBridge; with `answer`, best
   * effort (see `AnswerDeadline`). A report over SNS's 256 KiB is cut to fit (`fitReport`), in the
   * log line too (CloudWatch Logs takes 256 KB per event).
   */
  async report(level, event, fields, events = [], answer) {
    const spoke = this.spoke;
    const report = fitReport(event, level, spoke ? { ...fields, ...spoke } : fields);
    log(level, event, report.fields);
    const deliveries = [];
    const topicArn = this.topicArn;
    if (topicArn) {
      deliveries.push({
        channel: "report-topic",
        send: async (abortSignal) => {
          const sdk = require("@aws-sdk/client-sns");
          sns ??= new sdk.SNSClient({});
          return sns.send(new sdk.PublishCommand({
            TopicArn: topicArn,
            Subject: `cdk-device-defender: ${event}`.slice(0, 100),
            Message: report.text
          }), { abortSignal });
        }
      });
    }
    const tagged = spoke ? events.map((e) => ({ ...e, detail: { ...e.detail, ...spoke } })) : events;
    if (tagged.length > 0) {
      deliveries.push({ channel: "events", send: () => putEvents(tagged, this.eventBus) });
    }
    if (!answer) {
      for (const delivery of deliveries) {
        await delivery.send();
      }
      return;
    }
    const run = await runWithDeadline(deliveries, (delivery, signal) => delivery.send(signal), { concurrency: deliveries.length, ...answer });
    const failures = [
      ...run.settled.filter((s) => "error" in s).map((s) => ({ channel: s.item.channel, error: errorName(s.error), message: errorMessage(s.error) })),
      ...[...run.unfinished, ...run.notStarted].map((d) => ({ channel: d.channel, error: "DeadlineExceeded", message: "not sent before the function had to answer" }))
    ];
    for (const failure of failures) {
      log("ERROR", "report-failed", { report: event, ...failure });
    }
  }
  /**
   * Reports a failure no retry can fix: the `PermanentFailures` metric (embedded metric format,
   * dimension sets [FunctionName] and, when the mitigation is known, [Mitigation]; the construct's
   * alarm watches the first), ONE log line at ERROR with `event: "permanent-failure"`, what kind of
   * failure it is, the error's name and message and the function's name, the same fields to the
   * report topic when there is one, and a `Mitigation Failed` event. With `answer`, the report
   * topic and the event are best effort (see `AnswerDeadline`), and this never throws.
   */
  async permanentFailure(kind, error, fields = {}, answer) {
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || void 0;
    const dimensions = {
      ...functionName ? { [METRIC_DIMENSIONS.FUNCTION]: functionName } : {},
      ...this.mitigation ? { [METRIC_DIMENSIONS.MITIGATION]: this.mitigation } : {}
    };
    const sets = Object.keys(dimensions).map((name) => [name]);
    if (this.spoke && this.mitigation) {
      dimensions[METRIC_DIMENSIONS.ACCOUNT] = this.spoke.account;
      dimensions[METRIC_DIMENSIONS.REGION] = this.spoke.region;
      sets.push([METRIC_DIMENSIONS.MITIGATION, METRIC_DIMENSIONS.ACCOUNT, METRIC_DIMENSIONS.REGION]);
    }
    if (sets.length > 0) {
      emitMetrics(dimensions, sets, { [METRICS.PERMANENT_FAILURES]: 1 });
    }
    const detail = {
      mitigation: this.mitigation ?? "",
      kind,
      error: errorName(error),
      message: cutText(errorMessage(error), MAX_EVENT_MESSAGE_CHARS),
      ...functionName ? { functionName } : {},
      ...typeof fields.taskId === "string" ? { taskId: fields.taskId } : {},
      ...typeof fields.auditTaskId === "string" ? { auditTaskId: fields.auditTaskId } : {}
    };
    await this.report("ERROR", PERMANENT_FAILURE_EVENT, {
      kind,
      error: detail.error,
      message: errorMessage(error),
      [PERMANENT_FAILURE_METRIC.DIMENSION_FIELD]: functionName,
      ...fields
    }, [{ detailType: EVENT_DETAIL_TYPES.FAILED, detail }], answer);
  }
};
var TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$/;
var EVENT_BUS_ARN = /^arn:[a-z-]+:events:[a-z0-9-]+:[0-9]{12}:event-bus\/[A-Za-z0-9_.\/-]{1,256}$/;
function customResourceReporter(properties, logicalResourceId) {
  const P = CUSTOM_RESOURCE_REPORT_PROPS;
  const topic = properties?.[P.REPORT_TOPIC_ARN];
  const name = properties?.[P.MITIGATION_NAME];
  const validTopic = typeof topic === "string" && TOPIC_ARN.test(topic) ? topic : void 0;
  const validName = typeof name === "string" && name.length >= 1 && name.length <= 1024 ? name : void 0;
  const bus = properties?.[P.EVENT_BUS_ARN];
  const validBus = typeof bus === "string" && EVENT_BUS_ARN.test(bus) ? bus : void 0;
  if (topic !== void 0 && !validTopic || name !== void 0 && !validName || bus !== void 0 && !validBus) {
    log("WARN", "invalid-report-property", {
      ...topic !== void 0 && !validTopic ? { [P.REPORT_TOPIC_ARN]: topic, reportTopic: "left out: not an SNS topic ARN" } : {},
      ...name !== void 0 && !validName ? { [P.MITIGATION_NAME]: name, mitigationName: "left out: not 1 to 1024 characters" } : {},
      ...bus !== void 0 && !validBus ? { [P.EVENT_BUS_ARN]: bus, eventBus: "left out: not an event bus ARN (events go to the default bus)" } : {}
    });
  }
  return new Reporter(validTopic, validName ?? logicalResourceId, validBus);
}

// src/handlers/shared/config.ts
async function openRequest(event, context, options, run, failure) {
  const began = Date.now();
  const remainingMs = context ? () => context.getRemainingTimeInMillis() : () => options.timeoutMs - (Date.now() - began);
  const opening = {
    reporter: customResourceReporter(event.ResourceProperties, event.LogicalResourceId),
    remainingMs,
    answer: { remainingMs, marginMs: options.reportMarginMs }
  };
  try {
    return await run(opening);
  } catch (error) {
    const { kind, fields } = failure(error);
    const request = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId };
    await opening.reporter.permanentFailure(kind, error, { ...request, ...fields }, opening.answer);
    throw error;
  }
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");
function createIotClient(limits, spoke) {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits ? new import_client_iot.IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } }) : new import_client_iot.IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}

// src/handlers/audit-suppression.lambda.ts
var iot = createIotClient();
var DELETE_CLIENT_LIMITS = { maxAttempts: 3, requestTimeoutMs: 1e4 };
var deleteClient = createIotClient(DELETE_CLIENT_LIMITS);
var SAFETY_MARGIN_MS = 15e3;
var REPORT_MARGIN_MS = 2e3;
var FUNCTION_TIMEOUT_MS = 12e4;
async function handler(event, context) {
  const self = { stackId: event.StackId, logicalResourceId: event.LogicalResourceId };
  let plan;
  return openRequest(event, context, { reportMarginMs: REPORT_MARGIN_MS, timeoutMs: FUNCTION_TIMEOUT_MS }, async (request) => {
    plan = planSuppressionRequest(event);
    switch (plan.kind) {
      case "nothing-to-delete":
        log("INFO", "nothing-to-delete", { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
        return { PhysicalResourceId: plan.physicalResourceId };
      case "delete":
        await remove(plan, self, request);
        return { PhysicalResourceId: plan.physicalResourceId };
      case "create":
      case "update": {
        const writing = plan;
        const done = await withinDeadline(request.remainingMs, (signal) => createOrUpdate(writing, self, request, signal));
        await perform(done.reports, request.reporter, request.answer);
        return { PhysicalResourceId: writing.kind === "create" ? done.physicalResourceId : writing.physicalResourceId };
      }
    }
  }, (error) => ({
    // Only a Create or an Update gets here (a Delete never throws).
    kind: error instanceof SuppressionRefusedError ? "suppression-refused" : "request-failed",
    fields: plan && plan.kind !== "nothing-to-delete" ? { checkName: plan.props.checkName, resourceIdentifier: plan.props.resourceIdentifier } : {}
  }));
}
async function withinDeadline(remainingMs, work) {
  const run = await runWithDeadline([work], (w, signal) => w(signal), { concurrency: 1, remainingMs, marginMs: SAFETY_MARGIN_MS });
  const [settled] = run.settled;
  if (!settled) {
    throw new DeadlineExceededError(`AWS IoT did not answer in time: stopped ${SAFETY_MARGIN_MS / 1e3} s before the function's timeout`);
  }
  if ("error" in settled) {
    throw settled.error;
  }
  return settled.result;
}
async function describe(client2, props, abortSignal) {
  try {
    return await client2.send(new import_client_iot2.DescribeAuditSuppressionCommand(keyOf(props)), { abortSignal });
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") {
      return null;
    }
    throw error;
  }
}
async function createOrUpdate(start, self, request, abortSignal) {
  let plan = start;
  let facts = {};
  for (; ; ) {
    const step = plan.kind === "create" ? decideCreate(plan, self, facts) : decideUpdate(plan, self, facts);
    switch (step.kind) {
      case "create":
        facts = { ...facts, created: await createOrFind(step.input, abortSignal) };
        break;
      case "describe":
        facts = { ...facts, found: await describe(iot, plan.props, abortSignal) };
        break;
      case "recreate":
        await perform(step.effects, request.reporter);
        plan = step.plan;
        facts = {};
        break;
      case "write":
        await iot.send(new import_client_iot2.UpdateAuditSuppressionCommand(step.input), { abortSignal });
        await perform(step.effects, request.reporter);
        return { kind: "done", effects: [], reports: [], physicalResourceId: step.physicalResourceId };
      case "delete":
        throw new Error("internal error: a Create or an Update never deletes");
      case "fail":
        throw step.error;
      case "done":
        await perform(step.effects, request.reporter);
        return step;
    }
  }
}
async function createOrFind(input, abortSignal) {
  try {
    await iot.send(new import_client_iot2.CreateAuditSuppressionCommand(input), { abortSignal });
    return "created";
  } catch (error) {
    if (errorName(error) !== "ResourceAlreadyExistsException") {
      throw error;
    }
    return "exists";
  }
}
async function remove(plan, self, request) {
  let remarking;
  try {
    const done = await withinDeadline(request.remainingMs, async (abortSignal) => {
      let facts = {};
      for (; ; ) {
        const step = decideDelete(plan, self, facts);
        switch (step.kind) {
          case "describe":
            facts = { ...facts, found: await describe(deleteClient, plan.props, abortSignal) };
            break;
          case "delete":
            try {
              await deleteClient.send(new import_client_iot2.DeleteAuditSuppressionCommand(keyOf(plan.props)), { abortSignal });
              await perform(step.effects, request.reporter);
            } catch (error) {
              if (errorName(error) !== "ResourceNotFoundException") {
                throw error;
              }
              await perform(step.ifGone, request.reporter);
            }
            return { kind: "done", effects: [], reports: [] };
          case "write":
            remarking = step.remarking;
            await deleteClient.send(new import_client_iot2.UpdateAuditSuppressionCommand(step.input), { abortSignal });
            await perform(step.effects, request.reporter);
            return { kind: "done", effects: [], reports: [] };
          case "fail":
            remarking = step.remarking;
            throw step.error;
          case "done":
            await perform(step.effects, request.reporter);
            return step;
          default:
            throw new Error(`internal error: a Delete does not ${step.kind}`);
        }
      }
    });
    await perform(done.reports, request.reporter, request.answer);
  } catch (error) {
    await perform(decideDeleteFailure(plan.props, error, remarking), request.reporter, request.answer);
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  DELETE_CLIENT_LIMITS,
  REPORT_MARGIN_MS,
  SAFETY_MARGIN_MS,
  handler,
  parseSuppressionProps,
  suppressionPhysicalId
});
