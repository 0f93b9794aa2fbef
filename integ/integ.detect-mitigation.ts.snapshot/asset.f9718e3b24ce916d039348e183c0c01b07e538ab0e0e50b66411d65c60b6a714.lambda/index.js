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

// src/handlers/detect-mitigation.lambda.ts
var detect_mitigation_lambda_exports = {};
__export(detect_mitigation_lambda_exports, {
  handler: () => handler
});
module.exports = __toCommonJS(detect_mitigation_lambda_exports);

// src/contract.ts
var DETECT_ENV = {
  SECURITY_PROFILE: "DETECT_MITIGATION_SECURITY_PROFILE",
  ACTIONS: "DETECT_MITIGATION_ACTIONS",
  BEHAVIORS: "DETECT_MITIGATION_BEHAVIORS",
  DRY_RUN: "DETECT_MITIGATION_DRY_RUN",
  TASK_ID_PREFIX: "DETECT_MITIGATION_TASK_ID_PREFIX",
  REPORT_TOPIC_ARN: "DETECT_MITIGATION_REPORT_TOPIC_ARN"
};
var PERMANENT_FAILURE_EVENT = "permanent-failure";
var PERMANENT_FAILURE_METRIC = {
  NAMESPACE: "CdkDeviceDefender",
  NAME: "PermanentFailures",
  DIMENSION: "FunctionName",
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: "functionName"
};

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
function readDetectConfig(env) {
  const behaviors = env[DETECT_ENV.BEHAVIORS];
  return {
    securityProfileName: required(env, DETECT_ENV.SECURITY_PROFILE),
    actions: json(DETECT_ENV.ACTIONS, required(env, DETECT_ENV.ACTIONS)),
    behaviors: behaviors ? json(DETECT_ENV.BEHAVIORS, behaviors) : void 0,
    dryRun: env[DETECT_ENV.DRY_RUN] === "true",
    taskIdPrefix: required(env, DETECT_ENV.TASK_ID_PREFIX),
    reportTopicArn: env[DETECT_ENV.REPORT_TOPIC_ARN] || void 0
  };
}

// src/handlers/shared/ids.ts
var import_crypto = require("crypto");
function sha256Hex(...parts) {
  return (0, import_crypto.createHash)("sha256").update(parts.join("\0")).digest("hex");
}
function clientRequestToken(taskId) {
  return sha256Hex(taskId);
}
function detectMitigationTaskId(prefix, violationIds) {
  const digest = sha256Hex([...violationIds].sort().join(",")).slice(0, 24);
  return `${prefix}-${digest}`;
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");

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

// src/handlers/shared/iot-tasks.ts
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
async function startDetectMitigationTask(iot2, request) {
  return startOnce(
    () => iot2.send(new import_client_iot.StartDetectMitigationActionsTaskCommand({
      taskId: request.taskId,
      target: { violationIds: request.violationIds },
      actions: request.actions,
      includeOnlyActiveViolations: true,
      clientRequestToken: clientRequestToken(request.taskId)
    })),
    () => iot2.send(new import_client_iot.DescribeDetectMitigationActionsTaskCommand({ taskId: request.taskId }))
  );
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

// src/handlers/shared/targets.ts
function chunk(items, size) {
  const chunks = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

// src/handlers/shared/violation.ts
var WHAT = "violation alert";
var VIOLATION_ID_PATTERN = /^[a-zA-Z0-9-]{1,128}$/;
function text(body, name) {
  const value = body[name];
  if (typeof value !== "string" || value === "") {
    throw new MalformedMessageError(WHAT, `${name} must be a non-empty string, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}
function parseViolationAlert(message) {
  const body = parseJsonObject(message, WHAT);
  const violationId = text(body, "violationId");
  if (!VIOLATION_ID_PATTERN.test(violationId)) {
    throw new MalformedMessageError(WHAT, `violationId ${JSON.stringify(violationId)} is not a violation id`);
  }
  const behavior = body.behavior;
  if (behavior !== void 0 && !isObject(behavior)) {
    throw new MalformedMessageError(WHAT, "behavior must be an object");
  }
  return {
    violationId,
    violationEventType: text(body, "violationEventType"),
    securityProfileName: text(body, "securityProfileName"),
    thingName: typeof body.thingName === "string" ? body.thingName : void 0,
    behaviorName: behavior && typeof behavior.name === "string" ? behavior.name : void 0
  };
}
function reasonToIgnore(alert, config) {
  if (alert.violationEventType !== "in-alarm") {
    return `violation event ${alert.violationEventType}, not in-alarm`;
  }
  if (alert.securityProfileName !== config.securityProfileName) {
    return `security profile ${alert.securityProfileName}, not ${config.securityProfileName}`;
  }
  if (config.behaviors && !config.behaviors.includes(alert.behaviorName ?? "")) {
    return `behavior ${JSON.stringify(alert.behaviorName ?? null)} is not one of ${config.behaviors.join(", ")}`;
  }
  return void 0;
}
function afterStartFailure(permanent, violationCount) {
  if (!permanent) {
    return "retry-later";
  }
  return violationCount > 1 ? "split" : "give-up";
}

// src/handlers/detect-mitigation.lambda.ts
var iot = createIotClient();
var MAX_VIOLATIONS_PER_TASK = 25;
async function handler(event) {
  let config;
  try {
    config = readDetectConfig(process.env);
  } catch (error) {
    await new Reporter(process.env[DETECT_ENV.REPORT_TOPIC_ARN] || void 0).permanentFailure("config-error", error);
    throw error;
  }
  const reporter = new Reporter(config.reportTopicArn);
  const messagesOf = /* @__PURE__ */ new Map();
  for (const record of event.Records) {
    let alert;
    try {
      alert = parseViolationAlert(record.body);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) {
        throw error;
      }
      await reporter.permanentFailure("malformed-alert", error, { messageId: record.messageId, received: record.body.slice(0, 2e3) });
      continue;
    }
    const reason = reasonToIgnore(alert, config);
    if (reason) {
      log("INFO", "ignored", { violationId: alert.violationId, thingName: alert.thingName, reason });
      continue;
    }
    messagesOf.set(alert.violationId, [...messagesOf.get(alert.violationId) ?? [], record.messageId]);
  }
  const failed = [];
  for (const violationIds of chunk([...messagesOf.keys()].sort(), MAX_VIOLATIONS_PER_TASK)) {
    if (config.dryRun) {
      await reporter.report("INFO", "dry-run", details(config, violationIds));
      continue;
    }
    const retry = await mitigate(violationIds, config, reporter);
    failed.push(...retry.flatMap((id) => messagesOf.get(id)));
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
function details(config, violationIds, splitFrom) {
  return {
    taskId: detectMitigationTaskId(config.taskIdPrefix, violationIds),
    securityProfileName: config.securityProfileName,
    violationIds,
    actions: config.actions,
    ...splitFrom ? { splitFrom } : {}
  };
}
async function mitigate(violationIds, config, reporter, splitFrom) {
  const fields = details(config, violationIds, splitFrom);
  let outcome;
  try {
    outcome = await startDetectMitigationTask(iot, { taskId: fields.taskId, violationIds, actions: config.actions });
  } catch (failure) {
    return onStartFailure(failure, violationIds, fields, config, reporter);
  }
  await reporter.report("INFO", outcome === "started" ? "mitigation-started" : "mitigation-already-started", fields);
  return [];
}
async function onStartFailure(failure, violationIds, fields, config, reporter) {
  const error = { error: errorName(failure), message: errorMessage(failure) };
  switch (afterStartFailure(isPermanent(failure), violationIds.length)) {
    case "retry-later":
      log("WARN", "retrying", { ...fields, ...error });
      return violationIds;
    case "give-up":
      await reporter.permanentFailure("mitigation-failed", failure, fields);
      return [];
    case "split": {
      log("WARN", "splitting", { ...fields, ...error, reason: "AWS IoT refused the batch: starting one task per violation" });
      const retry = [];
      for (const id of violationIds) {
        retry.push(...await mitigate([id], config, reporter, fields.taskId));
      }
      return retry;
    }
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
