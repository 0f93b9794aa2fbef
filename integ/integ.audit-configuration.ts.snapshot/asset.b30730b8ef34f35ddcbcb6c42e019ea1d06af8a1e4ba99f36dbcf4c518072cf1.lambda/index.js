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
    for (let key2 of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key2) && key2 !== except)
        __defProp(to, key2, { get: () => from[key2], enumerable: !(desc = __getOwnPropDesc(from, key2)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/handlers/audit-suppression.lambda.ts
var audit_suppression_lambda_exports = {};
__export(audit_suppression_lambda_exports, {
  handler: () => handler,
  parseSuppressionProps: () => parseSuppressionProps,
  suppressionPhysicalId: () => suppressionPhysicalId
});
module.exports = __toCommonJS(audit_suppression_lambda_exports);
var import_client_iot2 = require("@aws-sdk/client-iot");

// src/contract.ts
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
  FUNCTION: "FunctionName"
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
  PERMANENT_FAILURES: "PermanentFailures"
};
var PERMANENT_FAILURE_METRIC = {
  NAMESPACE: METRIC_NAMESPACE,
  NAME: METRICS.PERMANENT_FAILURES,
  DIMENSION: METRIC_DIMENSIONS.FUNCTION,
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: "functionName"
};
var AUDIT_SUPPRESSION_PROPS = {
  CHECK_NAME: "CheckName",
  RESOURCE_IDENTIFIER: "ResourceIdentifier",
  /** ISO 8601 date-time; absent when `SuppressIndefinitely` is 'true'. */
  EXPIRATION_DATE: "ExpirationDate",
  SUPPRESS_INDEFINITELY: "SuppressIndefinitely",
  DESCRIPTION: "Description"
};
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

// src/handlers/shared/audit-suppression-plan.ts
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
var ALL_MEMBERS = [...SIMPLE_MEMBERS, "policyVersionIdentifier", "issuerCertificateIdentifier"];
function parseResourceIdentifier(value) {
  const id = record(AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER, value);
  const members = Object.keys(id);
  if (members.length !== 1 || !ALL_MEMBERS.includes(members[0])) {
    return invalid(AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER, value, `must have exactly one of ${ALL_MEMBERS.join(", ")}`);
  }
  const [member] = members;
  const prop = `${AUDIT_SUPPRESSION_PROPS.RESOURCE_IDENTIFIER}.${member}`;
  if (member === "policyVersionIdentifier") {
    const pvi = record(prop, id[member]);
    return {
      policyVersionIdentifier: {
        policyName: str(`${prop}.policyName`, pvi.policyName, AUDIT_SUPPRESSION_RULES.policyName),
        policyVersionId: str(`${prop}.policyVersionId`, pvi.policyVersionId, AUDIT_SUPPRESSION_RULES.policyVersionId)
      }
    };
  }
  if (member === "issuerCertificateIdentifier") {
    const ici = record(prop, id[member]);
    return {
      issuerCertificateIdentifier: {
        issuerCertificateSubject: str(`${prop}.issuerCertificateSubject`, ici.issuerCertificateSubject, AUDIT_SUPPRESSION_RULES.issuerCertificateSubject),
        issuerId: str(`${prop}.issuerId`, ici.issuerId, AUDIT_SUPPRESSION_RULES.issuerId),
        issuerCertificateSerialNumber: str(`${prop}.issuerCertificateSerialNumber`, ici.issuerCertificateSerialNumber, AUDIT_SUPPRESSION_RULES.issuerCertificateSerialNumber)
      }
    };
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
var PHYSICAL_ID = /^suppression:([A-Z0-9_]{1,128}):([a-zA-Z]+):([0-9a-f]{32})$/;
function suppressionPhysicalId(checkName, resourceIdentifier) {
  const member = Object.keys(resourceIdentifier)[0];
  const digest = sha256Hex(canonicalJson(resourceIdentifier)).slice(0, 32);
  return `suppression:${checkName}:${member}:${digest}`;
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
      const kind = physicalResourceId === event.PhysicalResourceId ? "update" : "create";
      return { kind, physicalResourceId, clientRequestToken: token, props };
    }
    case "Delete": {
      const physicalResourceId = event.PhysicalResourceId;
      let props;
      try {
        props = parseSuppressionProps(event.ResourceProperties);
      } catch (error) {
        return { kind: "nothing-to-delete", physicalResourceId, reason: `the properties are invalid, so no suppression was created: ${error.message}` };
      }
      if (!PHYSICAL_ID.test(physicalResourceId) || suppressionPhysicalId(props.checkName, props.resourceIdentifier) !== physicalResourceId) {
        return { kind: "nothing-to-delete", physicalResourceId, reason: "the physical id is not the one this handler issues for these properties (the Create failed)" };
      }
      return { kind: "delete", physicalResourceId, props };
    }
  }
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");
function createIotClient() {
  return new import_client_iot.IoTClient({ maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}
function errorName(error) {
  return error instanceof Error ? error.name : typeof error;
}
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
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

// src/handlers/audit-suppression.lambda.ts
var iot = createIotClient();
async function handler(event) {
  const plan = planSuppressionRequest(event);
  switch (plan.kind) {
    case "create":
      await create(plan.props, plan.clientRequestToken);
      log("INFO", "created", { physicalResourceId: plan.physicalResourceId, checkName: plan.props.checkName });
      return { PhysicalResourceId: plan.physicalResourceId };
    case "update":
      await update(plan.props, plan.clientRequestToken);
      return { PhysicalResourceId: plan.physicalResourceId };
    case "delete":
      await remove(plan.props);
      return { PhysicalResourceId: plan.physicalResourceId };
    case "nothing-to-delete":
      log("INFO", "nothing-to-delete", { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
      return { PhysicalResourceId: plan.physicalResourceId };
  }
}
function settings(props) {
  return {
    expirationDate: props.expirationDate,
    suppressIndefinitely: props.suppressIndefinitely,
    // An Update without a description clears the one set before.
    description: props.description ?? ""
  };
}
function key(props) {
  return { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
}
async function create(props, clientRequestToken2) {
  try {
    await iot.send(new import_client_iot2.CreateAuditSuppressionCommand({ ...key(props), ...settings(props), clientRequestToken: clientRequestToken2 }));
  } catch (error) {
    if (errorName(error) !== "ResourceAlreadyExistsException") {
      throw error;
    }
    throw new Error(await alreadyExistsMessage(props));
  }
}
async function alreadyExistsMessage(props) {
  let existing = "";
  try {
    const found = await iot.send(new import_client_iot2.DescribeAuditSuppressionCommand(key(props)));
    const expiry = found.suppressIndefinitely ? "indefinitely" : `until ${found.expirationDate?.toISOString() ?? "an unknown date"}`;
    existing = ` (suppressed ${expiry}${found.description ? `: ${JSON.stringify(found.description)}` : ""})`;
  } catch (error) {
    log("WARN", "describe-failed", { error: errorName(error), message: errorMessage(error) });
  }
  const what = `${props.checkName} for ${JSON.stringify(props.resourceIdentifier)}`;
  log("ERROR", "already-exists", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  return `an audit suppression of ${what} exists already${existing}, made outside this resource (console, CLI or another stack). AuditSuppression does not adopt it, so that deleting this stack can never remove a suppression someone else made: delete it (\`npx cdk-device-defender unsuppress <findingId>\` or DeleteAuditSuppression) and deploy again, or remove this AuditSuppression.`;
}
async function update(props, clientRequestToken2) {
  try {
    await iot.send(new import_client_iot2.UpdateAuditSuppressionCommand({ ...key(props), ...settings(props) }));
    log("INFO", "updated", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  } catch (error) {
    if (errorName(error) !== "ResourceNotFoundException") {
      throw error;
    }
    log("WARN", "recreated", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: "not found on Update" });
    await create(props, clientRequestToken2);
  }
}
async function remove(props) {
  try {
    await iot.send(new import_client_iot2.DeleteAuditSuppressionCommand(key(props)));
    log("INFO", "deleted", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") {
      log("INFO", "already-deleted", { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
      return;
    }
    log("ERROR", PERMANENT_FAILURE_EVENT, {
      kind: "suppression-not-deleted",
      checkName: props.checkName,
      resourceIdentifier: props.resourceIdentifier,
      error: errorName(error),
      message: errorMessage(error),
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      reason: "the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)"
    });
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler,
  parseSuppressionProps,
  suppressionPhysicalId
});
