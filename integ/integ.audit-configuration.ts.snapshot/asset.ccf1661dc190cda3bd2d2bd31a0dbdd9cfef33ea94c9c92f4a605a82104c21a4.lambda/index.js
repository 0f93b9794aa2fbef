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

// src/handlers/audit-mitigation.lambda.ts
var audit_mitigation_lambda_exports = {};
__export(audit_mitigation_lambda_exports, {
  handler: () => handler
});
module.exports = __toCommonJS(audit_mitigation_lambda_exports);
var import_client_iot2 = require("@aws-sdk/client-iot");

// src/contract.ts
var TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
var AUDIT_TASK_ID_PATTERN = /^[a-zA-Z0-9-]{1,40}$/;
var AUDIT_ENV = {
  RULES: "AUDIT_MITIGATION_RULES",
  SCHEDULED_AUDITS: "AUDIT_MITIGATION_SCHEDULED_AUDITS",
  INCLUDE_ON_DEMAND: "AUDIT_MITIGATION_INCLUDE_ON_DEMAND",
  DRY_RUN: "AUDIT_MITIGATION_DRY_RUN",
  MAX_FINDINGS_PER_CHECK: "AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK",
  TASK_ID_PREFIX: "AUDIT_MITIGATION_TASK_ID_PREFIX",
  REPORT_TOPIC_ARN: "AUDIT_MITIGATION_REPORT_TOPIC_ARN",
  RECONCILE_LOOKBACK_HOURS: "AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS"
};
var PERMANENT_FAILURE_EVENT = "permanent-failure";
var PERMANENT_FAILURE_METRIC = {
  NAMESPACE: "CdkDeviceDefender",
  NAME: "PermanentFailures",
  DIMENSION: "FunctionName",
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: "functionName"
};

// src/handlers/shared/ids.ts
var import_crypto = require("crypto");
function sha256Hex(...parts) {
  return (0, import_crypto.createHash)("sha256").update(parts.join("\0")).digest("hex");
}
function clientRequestToken(taskId) {
  return sha256Hex(taskId);
}
function auditMitigationTaskId(prefix, auditTaskId) {
  const taskId = `${prefix}-${auditTaskId}`;
  if (!TASK_ID_PATTERN.test(taskId)) {
    throw new Error(`cannot derive a task id from prefix ${JSON.stringify(prefix)} and audit ${JSON.stringify(auditTaskId)}`);
  }
  return taskId;
}

// src/handlers/shared/audit-plan.ts
function reasonToIgnoreTrigger(trigger, config) {
  if (trigger.accountId !== void 0 && trigger.accountId !== config.accountId) {
    return `audit of account ${trigger.accountId}, not ${config.accountId}`;
  }
  if (trigger.scheduledAuditName !== void 0 && config.scheduledAudits && !config.scheduledAudits.includes(trigger.scheduledAuditName)) {
    return `scheduled audit ${JSON.stringify(trigger.scheduledAuditName)} is not one of ${config.scheduledAudits.join(", ")}`;
  }
  return void 0;
}
function planAuditMitigation(audit, config) {
  const ignore = (reason) => ({ kind: "ignore", auditTaskId: audit.taskId, reason });
  if (audit.taskStatus !== "COMPLETED") {
    return ignore(`audit status is ${audit.taskStatus} (DescribeAuditTask), not COMPLETED`);
  }
  if (audit.taskType === "ON_DEMAND_AUDIT_TASK") {
    if (!config.includeOnDemandAudits) {
      return ignore("on-demand audit, and includeOnDemandAudits is false");
    }
  } else if (audit.taskType === "SCHEDULED_AUDIT_TASK") {
    if (config.scheduledAudits && !config.scheduledAudits.includes(audit.scheduledAuditName ?? "")) {
      return ignore(`scheduled audit ${JSON.stringify(audit.scheduledAuditName ?? null)} is not one of ${config.scheduledAudits.join(", ")}`);
    }
  } else {
    return ignore(`unknown audit type ${audit.taskType}`);
  }
  const checks = [];
  const excluded = [];
  const skipped = [];
  for (const check of audit.checks) {
    const actions = config.rules[check.checkName];
    if (!actions) {
      continue;
    }
    if (check.checkRunStatus === "COMPLETED_NON_COMPLIANT" && check.nonCompliantResourcesCount === void 0) {
      excluded.push({
        checkName: check.checkName,
        resourceCount: 0,
        reason: "DescribeAuditTask gave no nonCompliantResourcesCount, so maxFindingsPerCheck cannot be checked; apply by hand after review"
      });
      continue;
    }
    const resourceCount = Math.max(0, (check.nonCompliantResourcesCount ?? 0) - check.suppressedNonCompliantResourcesCount);
    if (check.checkRunStatus !== "COMPLETED_NON_COMPLIANT") {
      skipped.push({ checkName: check.checkName, resourceCount, reason: `check run status ${check.checkRunStatus}` });
    } else if (resourceCount === 0) {
      skipped.push({ checkName: check.checkName, resourceCount, reason: "every non-compliant finding is suppressed" });
    } else if (resourceCount > config.maxFindingsPerCheck) {
      excluded.push({
        checkName: check.checkName,
        resourceCount,
        reason: `${resourceCount} non-compliant resources exceed maxFindingsPerCheck (${config.maxFindingsPerCheck}); apply by hand after review`
      });
    } else {
      checks.push({ checkName: check.checkName, actions: [...actions], resourceCount });
    }
  }
  const taskId = auditMitigationTaskId(config.taskIdPrefix, audit.taskId);
  return {
    kind: checks.length > 0 ? "start" : "nothing-to-start",
    auditTaskId: audit.taskId,
    scheduledAuditName: audit.scheduledAuditName,
    taskId,
    clientRequestToken: clientRequestToken(taskId),
    checks,
    excluded,
    skipped
  };
}
function actionsMapping(checks) {
  return Object.fromEntries(checks.map((c) => [c.checkName, c.actions]));
}

// src/handlers/shared/message.ts
var MalformedMessageError = class extends Error {
  constructor(what, reason) {
    super(`malformed ${what}: ${reason}`);
    this.name = "MalformedMessageError";
  }
};
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function parseJsonObject(message, what) {
  let body;
  try {
    body = JSON.parse(message);
  } catch {
    throw new MalformedMessageError(what, "not JSON");
  }
  if (!isObject(body)) {
    throw new MalformedMessageError(what, "not a JSON object");
  }
  return body;
}

// src/handlers/shared/audit-summary.ts
var WHAT = "audit notification";
function optionalString(body, name) {
  const value = body[name];
  if (value === void 0 || value === null) {
    return void 0;
  }
  if (typeof value !== "string") {
    throw new MalformedMessageError(WHAT, `${name} must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}
function parseAuditNotification(message) {
  const body = parseJsonObject(message, WHAT);
  const taskId = optionalString(body, "taskId");
  if (taskId === void 0) {
    throw new MalformedMessageError(WHAT, "missing taskId");
  }
  if (!AUDIT_TASK_ID_PATTERN.test(taskId)) {
    throw new MalformedMessageError(WHAT, `taskId ${JSON.stringify(taskId)} is not an audit task id`);
  }
  return { taskId, accountId: optionalString(body, "accountId"), scheduledAuditName: optionalString(body, "scheduledAuditName") };
}
function count(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : void 0;
}
function summaryFromDescribe(taskId, task) {
  return {
    taskId,
    taskStatus: task.taskStatus ?? "UNKNOWN",
    taskType: task.taskType ?? "UNKNOWN",
    scheduledAuditName: task.scheduledAuditName,
    checks: Object.entries(task.auditDetails ?? {}).map(([checkName, d]) => ({
      checkName,
      checkRunStatus: d.checkRunStatus ?? "UNKNOWN",
      nonCompliantResourcesCount: count(d.nonCompliantResourcesCount),
      // Missing = none suppressed: counts more resources, never fewer, against the limit.
      suppressedNonCompliantResourcesCount: count(d.suppressedNonCompliantResourcesCount) ?? 0
    }))
  };
}

// src/handlers/shared/config.ts
var ConfigError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "ConfigError";
  }
};
function required(env, name) {
  const value = env[name];
  if (value === void 0 || value === "") {
    throw new ConfigError(`environment variable ${name} is not set`);
  }
  return value;
}
function json(name, value) {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(`environment variable ${name} is not JSON: ${value}`);
  }
}
function positiveInteger(env, name) {
  const value = Number(required(env, name));
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer, got ${env[name]}`);
  }
  return value;
}
function readConfig(env, accountId) {
  const rules = json(AUDIT_ENV.RULES, required(env, AUDIT_ENV.RULES));
  const scheduledAudits = env[AUDIT_ENV.SCHEDULED_AUDITS];
  return {
    accountId,
    rules,
    scheduledAudits: scheduledAudits ? json(AUDIT_ENV.SCHEDULED_AUDITS, scheduledAudits) : void 0,
    includeOnDemandAudits: env[AUDIT_ENV.INCLUDE_ON_DEMAND] === "true",
    dryRun: env[AUDIT_ENV.DRY_RUN] === "true",
    maxFindingsPerCheck: positiveInteger(env, AUDIT_ENV.MAX_FINDINGS_PER_CHECK),
    taskIdPrefix: required(env, AUDIT_ENV.TASK_ID_PREFIX),
    reportTopicArn: env[AUDIT_ENV.REPORT_TOPIC_ARN] || void 0,
    reconcileLookbackHours: positiveInteger(env, AUDIT_ENV.RECONCILE_LOOKBACK_HOURS)
  };
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");
function createIotClient() {
  return new import_client_iot.IoTClient({ maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}
var PERMANENT_ERRORS = /* @__PURE__ */ new Set([
  "InvalidRequestException",
  "ResourceNotFoundException",
  "UnauthorizedException",
  "AccessDeniedException",
  "ValidationException",
  "SerializationException",
  "MalformedMessageError",
  "ConfigError"
]);
function isPermanent(error) {
  return error instanceof Error && PERMANENT_ERRORS.has(error.name);
}
function errorName(error) {
  return error instanceof Error ? error.name : typeof error;
}
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
async function startAuditMitigationTask(iot2, request) {
  return startOnce(
    () => iot2.send(new import_client_iot.StartAuditMitigationActionsTaskCommand({
      taskId: request.taskId,
      clientRequestToken: request.clientRequestToken,
      target: request.target,
      auditCheckToActionsMapping: request.auditCheckToActionsMapping
    })),
    () => iot2.send(new import_client_iot.DescribeAuditMitigationActionsTaskCommand({ taskId: request.taskId }))
  );
}
async function startOnce(start, describe) {
  try {
    await start();
    return "started";
  } catch (error) {
    if (errorName(error) !== "TaskAlreadyExistsException") {
      throw error;
    }
    await describe();
    return "already-exists";
  }
}
async function describeAudit(iot2, auditTaskId) {
  return summaryFromDescribe(auditTaskId, await iot2.send(new import_client_iot.DescribeAuditTaskCommand({ taskId: auditTaskId })));
}
async function auditMitigationTaskExists(iot2, taskId) {
  try {
    await iot2.send(new import_client_iot.DescribeAuditMitigationActionsTaskCommand({ taskId }));
    return true;
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") {
      return false;
    }
    throw error;
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

// src/handlers/shared/report.ts
var import_client_sns = require("@aws-sdk/client-sns");
var sns;
var Reporter = class {
  constructor(topicArn) {
    this.topicArn = topicArn;
  }
  async report(level, event, fields) {
    log(level, event, fields);
    if (!this.topicArn) {
      return;
    }
    sns ??= new import_client_sns.SNSClient({});
    await sns.send(new import_client_sns.PublishCommand({
      TopicArn: this.topicArn,
      Subject: `cdk-device-defender: ${event}`.slice(0, 100),
      Message: JSON.stringify({ event, level, ...fields }, void 0, 2)
    }));
  }
  /**
   * Reports a failure no retry can fix: ONE log line at ERROR with `event: "permanent-failure"`,
   * what kind of failure it is, the error's name and message and the function's name (the
   * construct's metric filter counts these lines per function, and its alarm fires on the first
   * one), and the same fields to the report topic when there is one.
   */
  async permanentFailure(kind, error, fields = {}) {
    await this.report("ERROR", PERMANENT_FAILURE_EVENT, {
      kind,
      error: errorName(error),
      message: errorMessage(error),
      [PERMANENT_FAILURE_METRIC.DIMENSION_FIELD]: process.env.AWS_LAMBDA_FUNCTION_NAME,
      ...fields
    });
  }
};

// src/handlers/audit-mitigation.lambda.ts
var iot = createIotClient();
async function handler(event, context) {
  let config;
  try {
    config = readConfig(process.env, context.invokedFunctionArn.split(":")[4]);
  } catch (error) {
    await new Reporter(process.env[AUDIT_ENV.REPORT_TOPIC_ARN] || void 0).permanentFailure("config-error", error);
    throw error;
  }
  const reporter = new Reporter(config.reportTopicArn);
  if ("Records" in event && Array.isArray(event.Records)) {
    const outcomes = [];
    for (const record of event.Records) {
      outcomes.push(await onNotification(record.Sns?.Message ?? "", config, reporter));
    }
    return outcomes;
  }
  if (event.source === "aws.events") {
    return reconcile(config, reporter);
  }
  await reporter.permanentFailure(
    "unknown-event",
    new MalformedMessageError("event", "neither an SNS notification nor a scheduled event"),
    { received: JSON.stringify(event).slice(0, 2e3) }
  );
  return [];
}
async function onNotification(message, config, reporter) {
  let trigger;
  try {
    trigger = parseAuditNotification(message);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    await reporter.permanentFailure("malformed-notification", error, { received: message.slice(0, 2e3) });
    return { decision: "malformed", reason: error.message };
  }
  const reason = reasonToIgnoreTrigger(trigger, config);
  if (reason) {
    log("INFO", "ignored", { auditTaskId: trigger.taskId, reason, trigger: "notification" });
    return { auditTaskId: trigger.taskId, decision: "ignored", reason };
  }
  const audit = await describeOrFail(trigger.taskId, reporter, "notification");
  return "decision" in audit ? audit : act(planAuditMitigation(audit, config), config, reporter, "notification");
}
async function describeOrFail(auditTaskId, reporter, trigger) {
  try {
    return await describeAudit(iot, auditTaskId);
  } catch (error) {
    if (!isPermanent(error)) {
      log("WARN", "retrying", { auditTaskId, trigger, error: errorName(error), message: errorMessage(error) });
      throw error;
    }
    const reason = errorName(error) === "ResourceNotFoundException" ? `DescribeAuditTask does not know audit ${auditTaskId}: no such audit in this account and region, so nothing is started` : `DescribeAuditTask failed for audit ${auditTaskId} (${errorName(error)}), so nothing is started`;
    await reporter.permanentFailure("describe-audit-failed", error, { reason, auditTaskId, trigger });
    return { auditTaskId, decision: "failed-permanently", reason };
  }
}
async function act(plan, config, reporter, trigger) {
  if (plan.kind === "ignore") {
    log("INFO", "ignored", { auditTaskId: plan.auditTaskId, reason: plan.reason, trigger });
    return { auditTaskId: plan.auditTaskId, decision: "ignored", reason: plan.reason };
  }
  const details = {
    auditTaskId: plan.auditTaskId,
    scheduledAuditName: plan.scheduledAuditName,
    taskId: plan.taskId,
    trigger,
    checks: plan.checks,
    excluded: plan.excluded,
    skipped: plan.skipped
  };
  if (plan.kind === "nothing-to-start") {
    await reportOrLog(reporter, plan.excluded.length > 0, "WARN", "nothing-to-start", details);
    return { auditTaskId: plan.auditTaskId, decision: "nothing-to-start", taskId: plan.taskId };
  }
  if (config.dryRun) {
    await reporter.report("INFO", "dry-run", details);
    return { auditTaskId: plan.auditTaskId, decision: "dry-run", taskId: plan.taskId };
  }
  try {
    const outcome = await startAuditMitigationTask(iot, {
      taskId: plan.taskId,
      clientRequestToken: plan.clientRequestToken,
      target: { auditTaskId: plan.auditTaskId },
      auditCheckToActionsMapping: actionsMapping(plan.checks)
    });
    await reporter.report(plan.excluded.length > 0 ? "WARN" : "INFO", outcome === "started" ? "mitigation-started" : "mitigation-already-started", details);
    return { auditTaskId: plan.auditTaskId, decision: outcome, taskId: plan.taskId };
  } catch (error) {
    if (!isPermanent(error)) {
      log("WARN", "retrying", { ...details, error: errorName(error), message: errorMessage(error) });
      throw error;
    }
    await reporter.permanentFailure("mitigation-failed", error, details);
    return { auditTaskId: plan.auditTaskId, decision: "failed-permanently", taskId: plan.taskId, reason: errorMessage(error) };
  }
}
async function reportOrLog(reporter, report, level, event, fields) {
  if (report) {
    await reporter.report(level, event, fields);
  } else {
    log("INFO", event, fields);
  }
}
async function reconcile(config, reporter) {
  const endTime = /* @__PURE__ */ new Date();
  const startTime = new Date(endTime.getTime() - config.reconcileLookbackHours * 36e5);
  const taskTypes = config.includeOnDemandAudits ? ["SCHEDULED_AUDIT_TASK", "ON_DEMAND_AUDIT_TASK"] : ["SCHEDULED_AUDIT_TASK"];
  const outcomes = [];
  let transient;
  for (const taskType of taskTypes) {
    const pages = (0, import_client_iot2.paginateListAuditTasks)(
      { client: iot, pageSize: 100 },
      { startTime, endTime, taskType, taskStatus: "COMPLETED" }
    );
    for await (const page of pages) {
      for (const task of page.tasks ?? []) {
        if (!task.taskId) {
          continue;
        }
        try {
          outcomes.push(await reconcileAudit(task.taskId, config, reporter));
        } catch (error) {
          transient = error;
        }
      }
    }
  }
  log("INFO", "reconciled", { startTime, endTime, audits: outcomes.length, started: outcomes.filter((o) => o.decision === "started").length });
  if (transient) {
    throw transient;
  }
  return outcomes;
}
async function reconcileAudit(auditTaskId, config, reporter) {
  const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
  if (await auditMitigationTaskExists(iot, taskId)) {
    log("DEBUG", "already-mitigated", { auditTaskId, taskId, trigger: "reconciler" });
    return { auditTaskId, decision: "already-mitigated", taskId };
  }
  const audit = await describeOrFail(auditTaskId, reporter, "reconciler");
  if ("decision" in audit) {
    return audit;
  }
  const plan = planAuditMitigation(audit, config);
  if (plan.kind === "start" && !config.dryRun) {
    return act(plan, config, reporter, "reconciler");
  }
  const decision = plan.kind === "start" ? "dry-run" : plan.kind === "ignore" ? "ignored" : "nothing-to-start";
  log("INFO", decision, { auditTaskId, taskId, trigger: "reconciler", ...plan.kind === "ignore" ? { reason: plan.reason } : { checks: plan.checks, excluded: plan.excluded } });
  return { auditTaskId, decision, taskId };
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
