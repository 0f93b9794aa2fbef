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

// src/handlers/task-follower.lambda.ts
var task_follower_lambda_exports = {};
__export(task_follower_lambda_exports, {
  handler: () => handler
});
module.exports = __toCommonJS(task_follower_lambda_exports);
var import_crypto = require("crypto");
var import_client_dynamodb2 = require("@aws-sdk/client-dynamodb");
var import_client_iot3 = require("@aws-sdk/client-iot");
var import_client_securityhub2 = require("@aws-sdk/client-securityhub");

// src/handlers/shared/errors.ts
var PermanentError = class extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
};
var PERMANENT_AWS_ERRORS = /* @__PURE__ */ new Set([
  "InvalidRequestException",
  "ResourceNotFoundException",
  "UnauthorizedException",
  "AccessDeniedException",
  "ValidationException",
  "SerializationException",
  // The organization hub's calls: STS (a role that does not trust the caller, a region where STS is
  // off), SNS (ConfirmSubscription with an expired or unknown token, a topic that is gone or refuses
  // the caller) and SSM (a spoke's configuration that is not there).
  "AccessDenied",
  "RegionDisabledException",
  "InvalidParameterException",
  "NotFoundException",
  "AuthorizationErrorException",
  "ParameterNotFound",
  // Security Hub: not enabled in the account and region (or the caller may not use it), a request it refuses.
  "InvalidAccessException",
  "InvalidInputException"
]);
var THROTTLING_AWS_ERRORS = /* @__PURE__ */ new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded"
]);
function classifyError(error) {
  if (error instanceof PermanentError) {
    return "permanent";
  }
  if (!(error instanceof Error)) {
    return "retryable";
  }
  if (PERMANENT_AWS_ERRORS.has(error.name)) {
    return "permanent";
  }
  const status = error.$metadata?.httpStatusCode;
  if (THROTTLING_AWS_ERRORS.has(error.name) || status === 429) {
    return "throttled";
  }
  return "retryable";
}
function isPermanent(error) {
  return classifyError(error) === "permanent";
}
function classified(error) {
  return { error, errorClass: classifyError(error) };
}
async function answerOf(call) {
  try {
    return { value: await call() };
  } catch (error) {
    return classified(error);
  }
}
function errorName(error) {
  return error instanceof Error ? error.name : typeof error;
}
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
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
var MAX_OUTCOME_ERROR_CODES = 10;

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

// src/handlers/shared/log.ts
function log(level, event, fields = {}) {
  const line = JSON.stringify({ level, event, time: (/* @__PURE__ */ new Date()).toISOString(), ...fields });
  if (level === "ERROR") {
    console.error(line);
  } else {
    console.log(line);
  }
}

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

// src/handlers/shared/config.ts
var ConfigError = class extends PermanentError {
  constructor(message) {
    super("ConfigError", message);
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
function positiveInteger(env, name, fallback) {
  const raw = env[name];
  const value = fallback !== void 0 && (raw === void 0 || raw === "") ? fallback : Number(required(env, name));
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer, got ${raw}`);
  }
  return value;
}
async function openConfig(env, read, reporting) {
  try {
    return read(env);
  } catch (error) {
    const value = (name) => name ? env[name] || void 0 : void 0;
    await new Reporter(value(reporting?.REPORT_TOPIC_ARN), value(reporting?.MITIGATION), value(reporting?.EVENT_BUS)).permanentFailure("config-error", error);
    throw error;
  }
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");

// src/contract/limits.ts
var MAX_TASKS_PER_RESOURCE = 160;

// src/handlers/shared/ids.ts
var PHYSICAL_ID = /^(dd[0-9a-f]{10}):(\d+)$/;
function parsePhysicalId(physicalResourceId) {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  if (!match || Number(match[2]) > MAX_TASKS_PER_RESOURCE) {
    return void 0;
  }
  return { prefix: match[1], count: Number(match[2]) };
}

// src/handlers/shared/iot-tasks.ts
function createIotClient(limits, spoke) {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits ? new import_client_iot.IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } }) : new import_client_iot.IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}

// src/handlers/shared/security-hub.ts
var import_client_securityhub = require("@aws-sdk/client-securityhub");

// src/handlers/shared/task-outcome.ts
var import_client_iot2 = require("@aws-sdk/client-iot");

// src/contract/action-types.ts
var TABLE = {
  ["ADD_THINGS_TO_THING_GROUP" /* ADD_THINGS_TO_THING_GROUP */]: {
    actionParamsMember: "addThingsToThingGroupParams",
    cloudFormationProperty: "AddThingsToThingGroupParams",
    detect: true,
    changes: "deviceCertificateId",
    undo: { kind: "remove-things-from-groups" }
  },
  ["ENABLE_IOT_LOGGING" /* ENABLE_IOT_LOGGING */]: {
    actionParamsMember: "enableIoTLoggingParams",
    cloudFormationProperty: "EnableIoTLoggingParams",
    detect: false,
    changes: "account",
    undo: { kind: "cannot-undo", why: "the previous logging settings were not recorded by AWS: set them by hand" }
  },
  ["PUBLISH_FINDING_TO_SNS" /* PUBLISH_FINDING_TO_SNS */]: {
    actionParamsMember: "publishFindingToSnsParams",
    cloudFormationProperty: "PublishFindingToSnsParams",
    detect: false,
    changes: void 0,
    undo: { kind: "cannot-undo", why: "a published message cannot be unpublished" }
  },
  ["REPLACE_DEFAULT_POLICY_VERSION" /* REPLACE_DEFAULT_POLICY_VERSION */]: {
    actionParamsMember: "replaceDefaultPolicyVersionParams",
    cloudFormationProperty: "ReplaceDefaultPolicyVersionParams",
    detect: false,
    changes: "policyVersionIdentifier",
    undo: { kind: "restore-default-policy-version" }
  },
  // The API model spells the member updateCACertificateParams (aws-cdk-lib's L1: updateCaCertificateParams).
  ["UPDATE_CA_CERTIFICATE" /* UPDATE_CA_CERTIFICATE */]: {
    actionParamsMember: "updateCACertificateParams",
    cloudFormationProperty: "UpdateCACertificateParams",
    detect: false,
    changes: "caCertificateId",
    undo: { kind: "reactivate-certificate", certificate: "caCertificateId" }
  },
  ["UPDATE_DEVICE_CERTIFICATE" /* UPDATE_DEVICE_CERTIFICATE */]: {
    actionParamsMember: "updateDeviceCertificateParams",
    cloudFormationProperty: "UpdateDeviceCertificateParams",
    detect: false,
    changes: "deviceCertificateId",
    undo: { kind: "reactivate-certificate", certificate: "deviceCertificateId" }
  }
};
var ACTION_TYPES = TABLE;
var UNKNOWN_ACTION_TYPE = "UNKNOWN";
var TYPE_OF_MEMBER = new Map(
  Object.keys(ACTION_TYPES).map((type) => [ACTION_TYPES[type].actionParamsMember, type])
);
function actionTypeOf(action) {
  const member = Object.entries(action?.actionParams ?? {}).find(([, value]) => value !== void 0)?.[0];
  return member === void 0 ? void 0 : TYPE_OF_MEMBER.get(member);
}

// src/handlers/shared/task-outcome.ts
var MAX_FINDINGS_READ = 1e3;
var MAX_DETECT_EXECUTIONS_READ = 5 * MAX_FINDINGS_READ;
var FINISHED = {
  audit: /* @__PURE__ */ new Set(["COMPLETED", "FAILED", "CANCELED"]),
  detect: /* @__PURE__ */ new Set(["SUCCESSFUL", "FAILED", "CANCELED"])
};
function isFinished(kind, status) {
  return status !== void 0 && FINISHED[kind].has(status);
}
function outcomeOf(status) {
  switch (status) {
    case "COMPLETED":
    case "SUCCESSFUL":
      return "succeeded";
    case "FAILED":
      return "failed";
    case "SKIPPED":
      return "skipped";
    case "CANCELED":
      return "canceled";
    default:
      return void 0;
  }
}
var zero = () => ({ succeeded: 0, failed: 0, skipped: 0, canceled: 0 });
function aggregateOutcome(facts) {
  const executions = zero();
  const byAction = Object.fromEntries(Object.keys(facts.actionTypes).sort().map((name) => [name, zero()]));
  const byCheck = facts.kind === "audit" ? Object.fromEntries([...facts.checks ?? []].sort().map((c) => [c, zero()])) : void 0;
  const errors = /* @__PURE__ */ new Map();
  for (const e of facts.executions) {
    const outcome = outcomeOf(e.status);
    if (!outcome) {
      continue;
    }
    executions[outcome] += 1;
    (byAction[e.actionName] ??= zero())[outcome] += 1;
    if (byCheck && e.checkName) {
      (byCheck[e.checkName] ??= zero())[outcome] += 1;
    }
    if (outcome === "failed") {
      const code = e.errorCode ?? "UNKNOWN";
      const seen = errors.get(code);
      if (seen) {
        seen.count += 1;
      } else {
        errors.set(code, {
          count: 1,
          example: { actionName: e.actionName, findingId: e.findingId, violationId: e.violationId, message: e.message }
        });
      }
    }
  }
  const errorCodes = [...errors.entries()].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0)).map(([errorCode, { count, example }]) => ({ errorCode, count, example: withoutUndefined(example) }));
  return {
    taskKind: facts.kind,
    taskId: facts.taskId,
    status: facts.status,
    startTime: facts.startTime?.toISOString(),
    endTime: facts.endTime?.toISOString(),
    executions,
    byAction: Object.fromEntries(Object.entries(byAction).map(([name, counts]) => [name, { ...counts, actionType: facts.actionTypes[name] ?? "UNKNOWN" }])),
    byCheck,
    findingsByCheck: facts.statistics ? findingsByCheck(facts.statistics) : void 0,
    errorCodes: errorCodes.slice(0, MAX_OUTCOME_ERROR_CODES),
    truncated: facts.truncated || errorCodes.length > MAX_OUTCOME_ERROR_CODES
  };
}
function findingsByCheck(statistics) {
  return Object.fromEntries(Object.keys(statistics).sort().map((check) => {
    const s = statistics[check];
    return [check, {
      total: s.totalFindingsCount ?? 0,
      succeeded: s.succeededFindingsCount ?? 0,
      failed: s.failedFindingsCount ?? 0,
      skipped: s.skippedFindingsCount ?? 0,
      canceled: s.canceledFindingsCount ?? 0
    }];
  }));
}
function withoutUndefined(value) {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== void 0));
}
async function readFinishedTask(iot2, task, options = {}) {
  const facts = task.kind === "audit" ? await readAuditFacts(iot2, task.taskId, options.maxFindings ?? MAX_FINDINGS_READ) : await readDetectFacts(iot2, task.taskId, options.maxDetectExecutions ?? MAX_DETECT_EXECUTIONS_READ);
  return facts && { outcome: aggregateOutcome(facts), executions: facts.executions, actionTypes: facts.actionTypes };
}
var actionTypesOf = (definitions) => Object.fromEntries((definitions ?? []).filter((a) => a.name).map((a) => [a.name, actionTypeOf(a) ?? UNKNOWN_ACTION_TYPE]));
async function readAuditFacts(iot2, taskId, maxFindings) {
  const task = await iot2.send(new import_client_iot2.DescribeAuditMitigationActionsTaskCommand({ taskId }));
  if (!isFinished("audit", task.taskStatus)) {
    return void 0;
  }
  const checks = Object.keys(task.auditCheckToActionsMapping ?? {});
  const { findings, truncated } = await findingsOf(iot2, task.target ?? {}, checks, maxFindings);
  const executions = [];
  for (const { findingId, checkName } of findings) {
    for await (const page of (0, import_client_iot2.paginateListAuditMitigationActionsExecutions)({ client: iot2, pageSize: 250 }, { taskId, findingId })) {
      for (const e of page.actionsExecutions ?? []) {
        executions.push({
          actionName: e.actionName ?? "UNKNOWN",
          status: e.status ?? "UNKNOWN",
          checkName,
          findingId,
          errorCode: e.errorCode,
          message: e.message
        });
      }
    }
  }
  return {
    kind: "audit",
    taskId,
    status: task.taskStatus,
    startTime: task.startTime,
    endTime: task.endTime,
    actionTypes: actionTypesOf(task.actionsDefinition),
    checks,
    statistics: task.taskStatistics ?? {},
    executions,
    truncated
  };
}
async function findingsOf(iot2, target, checks, max) {
  const findings = [];
  if (target.findingIds) {
    for (const findingId of target.findingIds.slice(0, max)) {
      findings.push({ findingId, checkName: await checkOfFinding(iot2, findingId) });
    }
    return { findings, truncated: target.findingIds.length > max };
  }
  if (!target.auditTaskId) {
    return { findings, truncated: false };
  }
  const filter = target.auditCheckToReasonCodeFilter;
  for (const checkName of checks.filter((c) => !filter || c in filter)) {
    for await (const page of (0, import_client_iot2.paginateListAuditFindings)({ client: iot2, pageSize: 250 }, { taskId: target.auditTaskId, checkName })) {
      for (const f of page.findings ?? []) {
        if (!f.findingId || filter && !filter[checkName].includes(f.reasonForNonComplianceCode ?? "")) {
          continue;
        }
        if (findings.length >= max) {
          return { findings, truncated: true };
        }
        findings.push({ findingId: f.findingId, checkName });
      }
    }
  }
  return { findings, truncated: false };
}
async function checkOfFinding(iot2, findingId) {
  try {
    return (await iot2.send(new import_client_iot2.DescribeAuditFindingCommand({ findingId }))).finding?.checkName;
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") {
      return void 0;
    }
    throw error;
  }
}
async function readDetectFacts(iot2, taskId, maxExecutions) {
  const summary = (await iot2.send(new import_client_iot2.DescribeDetectMitigationActionsTaskCommand({ taskId }))).taskSummary ?? {};
  if (!isFinished("detect", summary.taskStatus)) {
    return void 0;
  }
  const executions = [];
  let truncated = false;
  read: for await (const page of (0, import_client_iot2.paginateListDetectMitigationActionsExecutions)({ client: iot2, pageSize: 250 }, { taskId })) {
    for (const e of page.actionsExecutions ?? []) {
      if (executions.length >= maxExecutions) {
        truncated = true;
        break read;
      }
      executions.push({
        actionName: e.actionName ?? "UNKNOWN",
        status: e.status ?? "UNKNOWN",
        violationId: e.violationId,
        errorCode: e.errorCode,
        message: e.message
      });
    }
  }
  return {
    kind: "detect",
    taskId,
    status: summary.taskStatus,
    startTime: summary.taskStartTime,
    endTime: summary.taskEndTime,
    actionTypes: actionTypesOf(summary.actionsDefinition),
    executions,
    truncated
  };
}

// src/contract/security-hub.ts
function deviceDefenderProductArn(partition, region, product) {
  return `arn:${partition}:securityhub:${region}::product/aws/iot-device-defender-${product}`;
}
var FINDING_ID_FIELD = "FindingId";
var NOTE_UPDATED_BY = "cdk-device-defender";

// src/handlers/shared/security-hub.ts
var MAX_FILTER_VALUES = 20;
var MAX_RESULTS = 100;
var MAX_FINDINGS_PER_UPDATE = 100;
var MAX_NOTE_LENGTH = 512;
var MAX_UNPROCESSED_ROUNDS = 4;
var UNPROCESSED_FOR_GOOD = /* @__PURE__ */ new Set(["FindingNotFound", "DuplicatedFindingIdentifier"]);
function notesOf(taskId, executions, actionTypes) {
  const byFinding = /* @__PURE__ */ new Map();
  for (const e of executions) {
    if (!e.findingId || !outcomeOf(e.status)) {
      continue;
    }
    byFinding.set(e.findingId, [...byFinding.get(e.findingId) ?? [], e]);
  }
  const notes = /* @__PURE__ */ new Map();
  for (const [findingId, applied] of byFinding) {
    const actions = applied.map((e) => `${e.actionName} (${actionTypes[e.actionName] ?? "UNKNOWN"}) ${outcomeOf(e.status)}`);
    const text = `cdk-device-defender mitigation task ${taskId}: ${actions.join("; ")}.` + (applied.some((e) => outcomeOf(e.status) === "succeeded") ? " The finding stays until the next audit finds the resource compliant." : "");
    notes.set(findingId, {
      text: text.length > MAX_NOTE_LENGTH ? `${text.slice(0, MAX_NOTE_LENGTH - 3)}...` : text,
      notify: applied.some((e) => outcomeOf(e.status) === "succeeded")
    });
  }
  return notes;
}
function planUpdates(found, notes) {
  const groups = /* @__PURE__ */ new Map();
  let unchanged = 0;
  const seen = /* @__PURE__ */ new Set();
  for (const f of found) {
    const note = notes.get(f.findingId);
    if (!note || seen.has(`${f.productArn} ${f.id}`)) {
      continue;
    }
    seen.add(`${f.productArn} ${f.id}`);
    if (f.note?.text === note.text && f.note.updatedBy === NOTE_UPDATED_BY) {
      unchanged += 1;
      continue;
    }
    const notify = note.notify && (f.workflowStatus ?? "NEW") === "NEW";
    const key = `${notify} ${note.text}`;
    const group = groups.get(key) ?? { text: note.text, notify, identifiers: [] };
    group.identifiers.push({ Id: f.id, ProductArn: f.productArn });
    groups.set(key, group);
  }
  const batches = [...groups.values()].flatMap((g) => Array.from({ length: Math.ceil(g.identifiers.length / MAX_FINDINGS_PER_UPDATE) }, (_, i) => ({
    ...g,
    identifiers: g.identifiers.slice(i * MAX_FINDINGS_PER_UPDATE, (i + 1) * MAX_FINDINGS_PER_UPDATE)
  })));
  return { batches, unchanged };
}
var UnprocessedFindingsError = class extends Error {
  constructor(count, codes) {
    super(`Security Hub left ${count} findings unprocessed ${MAX_UNPROCESSED_ROUNDS} times (${[...new Set(codes)].join(", ")})`);
    this.name = "UnprocessedFindingsError";
  }
};
var FindingUpdater = class {
  constructor(client2, where) {
    this.client = client2;
    this.where = where;
  }
  refusal;
  async update(task, reporter) {
    const taskId = task.outcome.taskId;
    const notes = notesOf(taskId, task.executions, task.actionTypes);
    const none = { updated: 0, notified: 0, unchanged: 0, notFound: 0 };
    if (this.refusal !== void 0) {
      return { ...none, notFound: notes.size, error: this.refusal };
    }
    try {
      const found = await this.lookUp([...notes.keys()]);
      const { batches, unchanged } = planUpdates(found, notes);
      let { updated, notified } = none;
      let lost = 0;
      for (const batch of batches) {
        const result = await this.apply(batch);
        updated += result.updated;
        notified += batch.notify ? result.updated : 0;
        lost += result.lost;
      }
      const foundIds = new Set(found.map((f) => f.findingId));
      return { updated, notified, unchanged, notFound: [...notes.keys()].filter((id) => !foundIds.has(id)).length + lost };
    } catch (error) {
      if (classifyError(error) !== "permanent") {
        throw error;
      }
      this.refusal = `${errorName(error)}: ${errorMessage(error)}`;
      await reporter.permanentFailure("security-hub-refused", error, {
        taskId,
        fix: "enable Security Hub in this account and region, and give the role securityhub:GetFindings and securityhub:BatchUpdateFindings (`securityHub` on the construct; on each MitigationSpoke for a hub)"
      });
      return { ...none, notFound: notes.size, error: this.refusal };
    }
  }
  /** The Device Defender audit findings in Security Hub of these audit finding ids (20 ids per GetFindings, every page). */
  async lookUp(findingIds) {
    const productArn = deviceDefenderProductArn(this.where.partition, this.where.region, "audit");
    const found = [];
    for (let i = 0; i < findingIds.length; i += MAX_FILTER_VALUES) {
      const ids = findingIds.slice(i, i + MAX_FILTER_VALUES);
      let nextToken;
      do {
        const page = await this.client.send(new import_client_securityhub.GetFindingsCommand({
          Filters: {
            ProductArn: [{ Value: productArn, Comparison: "EQUALS" }],
            ProductFields: ids.map((id) => ({ Key: FINDING_ID_FIELD, Value: id, Comparison: "EQUALS" }))
          },
          MaxResults: MAX_RESULTS,
          NextToken: nextToken
        }));
        for (const f of page.Findings ?? []) {
          const findingId = f.ProductFields?.[FINDING_ID_FIELD];
          if (!f.Id || !f.ProductArn || !findingId || !ids.includes(findingId)) {
            continue;
          }
          found.push({
            id: f.Id,
            productArn: f.ProductArn,
            findingId,
            workflowStatus: f.Workflow?.Status,
            note: f.Note ? { text: f.Note.Text, updatedBy: f.Note.UpdatedBy } : void 0
          });
        }
        nextToken = page.NextToken || void 0;
      } while (nextToken);
    }
    return found;
  }
  /** One batch, its unprocessed findings sent again (a few rounds); answers how many were updated, and lost for good. */
  async apply(batch) {
    let pending = batch.identifiers;
    let lost = 0;
    let codes = [];
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) {
        throw new UnprocessedFindingsError(pending.length, codes);
      }
      if (round > 0) {
        await sleep(100 * 2 ** round);
      }
      const output = await this.client.send(new import_client_securityhub.BatchUpdateFindingsCommand({
        FindingIdentifiers: pending.map((p) => ({ Id: p.Id, ProductArn: p.ProductArn })),
        Note: { Text: batch.text, UpdatedBy: NOTE_UPDATED_BY },
        ...batch.notify ? { Workflow: { Status: "NOTIFIED" } } : {}
      }));
      const unprocessed = output.UnprocessedFindings ?? [];
      const again = unprocessed.filter((u) => !UNPROCESSED_FOR_GOOD.has(u.ErrorCode ?? ""));
      lost += unprocessed.length - again.length;
      codes = again.map((u) => u.ErrorCode ?? "UNKNOWN");
      const retry = new Set(again.map((u) => `${u.FindingIdentifier?.ProductArn} ${u.FindingIdentifier?.Id}`));
      pending = pending.filter((p) => retry.has(`${p.ProductArn} ${p.Id}`));
    }
    return { updated: batch.identifiers.length - lost, lost };
  }
};
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// src/handlers/shared/follow-decide.ts
function decideFollow(candidate, facts) {
  const { kind, taskId, followed } = candidate;
  const fields = { taskId, taskKind: kind, mitigation: followed.mitigation };
  if (!facts.claim) {
    return { kind: "claim" };
  }
  if (!("value" in facts.claim)) {
    return { kind: "retry", release: false, fields, error: facts.claim.error };
  }
  if (!facts.claim.value) {
    return { kind: "claimed-elsewhere", fields };
  }
  if (!facts.outcome) {
    return { kind: "read-outcome" };
  }
  if (!("value" in facts.outcome)) {
    return facts.outcome.errorClass === "permanent" ? { kind: "give-up", failure: facts.outcome, fields, followed } : { kind: "retry", release: true, fields, error: facts.outcome.error };
  }
  if (!facts.outcome.value) {
    return { kind: "retry", release: true, fields, error: new Error(`task ${taskId} was listed as finished but is not`) };
  }
  if (followed.securityHub && kind === "audit" && !facts.findings) {
    return { kind: "update-findings", task: facts.outcome.value };
  }
  if (facts.findings && !("value" in facts.findings)) {
    return { kind: "retry", release: true, fields, error: facts.findings.error };
  }
  const securityHub2 = facts.findings && "value" in facts.findings ? { securityHub: facts.findings.value } : {};
  const detail = { mitigation: followed.mitigation, ...facts.outcome.value.outcome, ...securityHub2 };
  if (!facts.published) {
    return { kind: "publish", event: { detailType: EVENT_DETAIL_TYPES.TASK_OUTCOME, detail }, eventBusArn: followed.eventBusArn };
  }
  if (!("value" in facts.published)) {
    return { kind: "retry", release: true, fields, error: facts.published.error };
  }
  const failed = detail.executions.failed > 0;
  return {
    kind: "finish",
    fields,
    metrics: metricLinesOf(followed.mitigation, detail),
    report: { level: failed ? "WARN" : "INFO", fields: { ...detail }, topicArn: failed ? followed.reportTopicArn : void 0 },
    ...detail.securityHub ? { securityHub: detail.securityHub, endTime: detail.endTime } : {}
  };
}
var FINDINGS_ARRIVAL_MS = 75 * 6e4;
function findingsRetryAt(securityHub2, endTime, now) {
  if (!securityHub2 || securityHub2.error !== void 0 || securityHub2.notFound === 0) {
    return void 0;
  }
  const ended = endTime ? Date.parse(endTime) : NaN;
  const at = (Number.isNaN(ended) ? now.getTime() : ended) + FINDINGS_ARRIVAL_MS;
  return at > now.getTime() ? at : void 0;
}
function findingsMetricLine(mitigation, securityHub2) {
  return {
    dimensions: { [METRIC_DIMENSIONS.MITIGATION]: mitigation },
    dimensionSets: [[METRIC_DIMENSIONS.MITIGATION]],
    values: { [METRICS.SECURITY_HUB_FINDINGS_UPDATED]: securityHub2.updated, [METRICS.SECURITY_HUB_FINDINGS_NOTIFIED]: securityHub2.notified }
  };
}
function retryingFields(fields, error) {
  return { ...fields, error: errorName(error), message: errorMessage(error) };
}
var executionValues = (c) => ({
  [METRICS.EXECUTIONS_SUCCEEDED]: c.succeeded,
  [METRICS.EXECUTIONS_FAILED]: c.failed,
  [METRICS.EXECUTIONS_SKIPPED]: c.skipped,
  [METRICS.EXECUTIONS_CANCELED]: c.canceled
});
function metricLinesOf(mitigation, outcome) {
  const findings = outcome.findingsByCheck;
  const mitigated = findings ? { [METRICS.FINDINGS_MITIGATED]: Object.values(findings).reduce((sum, f) => sum + f.succeeded, 0) } : {};
  const securityHub2 = outcome.securityHub ? { [METRICS.SECURITY_HUB_FINDINGS_UPDATED]: outcome.securityHub.updated, [METRICS.SECURITY_HUB_FINDINGS_NOTIFIED]: outcome.securityHub.notified } : {};
  const lines = [{
    dimensions: { [METRIC_DIMENSIONS.MITIGATION]: mitigation },
    dimensionSets: [[METRIC_DIMENSIONS.MITIGATION]],
    values: { [METRICS.TASKS_FINISHED]: 1, ...executionValues(outcome.executions), ...mitigated, ...securityHub2 }
  }];
  for (const [actionName, counts] of Object.entries(outcome.byAction)) {
    lines.push({
      dimensions: { [METRIC_DIMENSIONS.MITIGATION]: mitigation, [METRIC_DIMENSIONS.ACTION]: actionName },
      dimensionSets: [[METRIC_DIMENSIONS.MITIGATION, METRIC_DIMENSIONS.ACTION]],
      values: executionValues(counts)
    });
  }
  if (outcome.taskKind === "audit") {
    const none = { succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    for (const check of [.../* @__PURE__ */ new Set([...Object.keys(outcome.byCheck ?? {}), ...Object.keys(findings ?? {})])].sort()) {
      lines.push({
        dimensions: { [METRIC_DIMENSIONS.MITIGATION]: mitigation, [METRIC_DIMENSIONS.CHECK]: check },
        dimensionSets: [[METRIC_DIMENSIONS.MITIGATION, METRIC_DIMENSIONS.CHECK]],
        values: { ...executionValues(outcome.byCheck?.[check] ?? none), [METRICS.FINDINGS_MITIGATED]: findings?.[check]?.succeeded ?? 0 }
      });
    }
  }
  return lines;
}

// src/handlers/shared/task-follow.ts
var CLAIM_STALE_MS = 5 * 60 * 1e3;
var LEDGER_RETENTION_SECONDS = 30 * 24 * 3600;
function expiresAt(now, retentionSeconds = LEDGER_RETENTION_SECONDS) {
  return Math.floor(now.getTime() / 1e3) + retentionSeconds;
}
async function followTask(candidate, io) {
  const { claims, spoke } = io;
  const about = (fields) => spoke ? { ...fields, ...spoke } : fields;
  const reporter = (r) => spoke ? r.about(spoke) : r;
  let facts = {};
  for (; ; ) {
    const step = decideFollow(candidate, facts);
    const claim = facts.claim && "value" in facts.claim ? facts.claim.value : void 0;
    switch (step.kind) {
      case "claim":
        facts = { ...facts, claim: await answerOf(() => claims.claim()) };
        break;
      case "read-outcome":
        facts = { ...facts, outcome: await answerOf(io.readOutcome) };
        break;
      case "update-findings":
        facts = { ...facts, findings: await answerOf(() => io.updateFindings(step.task)) };
        break;
      case "publish": {
        const event = spoke ? { ...step.event, detail: { ...step.event.detail, ...spoke } } : step.event;
        facts = { ...facts, published: await answerOf(() => putEvents([event], step.eventBusArn)) };
        break;
      }
      case "claimed-elsewhere":
        log("INFO", "claimed-elsewhere", about(step.fields));
        return "claimed-elsewhere";
      case "retry":
        if (step.release && claim) {
          try {
            await claims.release(claim);
          } catch (releaseError) {
            log("WARN", "claim-not-released", about(retryingFields(step.fields, releaseError)));
          }
        }
        log("WARN", "retrying", about(retryingFields(step.fields, step.error)));
        return "retrying";
      case "give-up": {
        const { followed } = step;
        await reporter(new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn)).permanentFailure("outcome-unreadable", step.failure.error, step.fields);
        await markReported(claims, claim, about(step.fields), { failed: true });
        return "failed";
      }
      case "finish":
        for (const line of step.metrics.map((l) => spoke ? inSpoke(l, spoke) : l)) {
          emitMetrics(line.dimensions, line.dimensionSets, line.values);
        }
        try {
          await reporter(new Reporter(step.report.topicArn)).report(step.report.level, "task-outcome", step.report.fields);
        } catch (error) {
          log("WARN", "report-not-published", { ...about(step.fields), error: errorName(error), message: errorMessage(error) });
        }
        await markReported(claims, claim, about(step.fields), { findingsRetryAt: findingsRetryAt(step.securityHub, step.endTime, io.now) });
        return "reported";
    }
  }
}
async function followFindings(candidate, io) {
  const { spoke } = io;
  const fields = { taskId: candidate.taskId, taskKind: candidate.kind, mitigation: candidate.followed.mitigation, ...spoke };
  try {
    const task = await io.readOutcome();
    if (task) {
      const detail = await io.updateFindings(task);
      const line = findingsMetricLine(candidate.followed.mitigation, detail);
      const scoped = spoke ? inSpoke(line, spoke) : line;
      emitMetrics(scoped.dimensions, scoped.dimensionSets, scoped.values);
      log("INFO", "security-hub-findings", { ...fields, ...detail });
    }
  } catch (error) {
    if (!isPermanent(error) && io.now.getTime() < io.dueAt + FINDINGS_ARRIVAL_MS) {
      log("WARN", "retrying", retryingFields(fields, error));
      return;
    }
    log("WARN", "findings-given-up", retryingFields(fields, error));
  }
  try {
    await io.done();
  } catch (error) {
    log("WARN", "ledger-not-updated", retryingFields(fields, error));
  }
}
async function markReported(claims, claim, fields, options) {
  try {
    await claims.markReported(claim, options);
  } catch (error) {
    log("WARN", "ledger-not-updated", { ...fields, error: errorName(error), message: errorMessage(error) });
  }
}

// src/contract/environment.ts
var FOLLOWER_ENV = {
  /** The ledger table (partition key `taskId`, string; TTL attribute `expiresAt`). */
  TABLE_NAME: "TASK_FOLLOWER_TABLE_NAME",
  /** JSON array of `FollowedMitigation`. */
  FOLLOWED: "TASK_FOLLOWER_FOLLOWED",
  /** How far back tasks are looked for, in hours (default `DEFAULT_FOLLOWER_LOOKBACK_HOURS`). */
  LOOKBACK_HOURS: "TASK_FOLLOWER_LOOKBACK_HOURS"
};
var DEFAULT_FOLLOWER_LOOKBACK_HOURS = 72;

// src/handlers/task-follower/config.ts
function readFollowerConfig(env) {
  const tableName = required(env, FOLLOWER_ENV.TABLE_NAME);
  const raw = required(env, FOLLOWER_ENV.FOLLOWED);
  const followed = json(FOLLOWER_ENV.FOLLOWED, raw);
  if (!Array.isArray(followed)) {
    throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED} must be a JSON array, got ${raw}`);
  }
  for (const f of followed) {
    const problem = !f || typeof f.mitigation !== "string" || f.mitigation === "" ? "has no mitigation" : f.kind !== "audit" && f.kind !== "detect" ? `has kind ${JSON.stringify(f.kind)} (allowed: "audit", "detect")` : !f.taskIdPrefix && !f.physicalResourceId ? "has neither taskIdPrefix nor physicalResourceId" : void 0;
    if (problem) {
      throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED}: entry ${JSON.stringify(f)} ${problem}`);
    }
  }
  const lookbackHours = positiveInteger(env, FOLLOWER_ENV.LOOKBACK_HOURS, DEFAULT_FOLLOWER_LOOKBACK_HOURS);
  return { tableName, followed, lookbackHours };
}

// src/handlers/task-follower/follow-plan.ts
function followedOf(kind, taskId, followed) {
  return followed.find((f) => {
    if (f.kind !== kind) {
      return false;
    }
    if (f.taskIdPrefix && taskId.startsWith(`${f.taskIdPrefix}-`)) {
      return true;
    }
    const resource = f.physicalResourceId ? parsePhysicalId(f.physicalResourceId) : void 0;
    if (!resource || !taskId.startsWith(`${resource.prefix}-`)) {
      return false;
    }
    const index = taskId.slice(resource.prefix.length + 1);
    return /^(0|[1-9]\d*)$/.test(index) && Number(index) < resource.count;
  });
}

// src/handlers/task-follower/decide.ts
function listingOf(config, now) {
  const kinds = ["audit", "detect"];
  return {
    window: { startTime: new Date(now.getTime() - config.lookbackHours * 36e5), endTime: now },
    kinds: kinds.filter((kind) => config.followed.some((f) => f.kind === kind))
  };
}
function candidatesOf(listed, config) {
  return listed.flatMap(({ kind, taskId, status }) => {
    const followed = taskId ? followedOf(kind, taskId, config.followed) : void 0;
    return followed && isFinished(kind, status) ? [{ kind, taskId, followed }] : [];
  });
}

// src/handlers/task-follower/ledger.ts
var import_client_dynamodb = require("@aws-sdk/client-dynamodb");
var MAX_KEYS_PER_BATCH = 100;
var MAX_UNPROCESSED_ROUNDS2 = 8;
var A = {
  TASK_ID: "taskId",
  STATE: "state",
  CLAIMED_AT: "claimedAt",
  CLAIM_ID: "claimId",
  EXPIRES_AT: "expiresAt",
  REPORTED_AT: "reportedAt",
  FAILED: "failed",
  /** Epoch ms: some of the task's Security Hub findings were not there when it was reported; look again then. */
  FINDINGS_RETRY_AT: "findingsRetryAt"
};
var Ledger = class {
  constructor(dynamodb2, tableName) {
    this.dynamodb = dynamodb2;
    this.tableName = tableName;
  }
  /** Which of `taskIds` were reported already (a claimed task is not: its claim may be stale), and what is left to do about each. */
  async reported(taskIds) {
    const reported = /* @__PURE__ */ new Map();
    const unique = [...new Set(taskIds)];
    for (let i = 0; i < unique.length; i += MAX_KEYS_PER_BATCH) {
      let request = {
        Keys: unique.slice(i, i + MAX_KEYS_PER_BATCH).map((taskId) => ({ [A.TASK_ID]: { S: taskId } })),
        ProjectionExpression: "#taskId, #state, #retryAt",
        ExpressionAttributeNames: { "#taskId": A.TASK_ID, "#state": A.STATE, "#retryAt": A.FINDINGS_RETRY_AT },
        ConsistentRead: true
      };
      for (let round = 0; request?.Keys?.length; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS2) {
          throw Object.assign(new Error(`DynamoDB left ${request.Keys.length} ledger keys unprocessed ${MAX_UNPROCESSED_ROUNDS2} times`), { name: "UnprocessedKeys" });
        }
        if (round > 0) {
          await sleep2(Math.min(1e3, 50 * 2 ** round));
        }
        const output = await this.dynamodb.send(new import_client_dynamodb.BatchGetItemCommand({ RequestItems: { [this.tableName]: request } }));
        for (const item of output.Responses?.[this.tableName] ?? []) {
          const taskId = item[A.TASK_ID]?.S;
          const retryAt = item[A.FINDINGS_RETRY_AT]?.N;
          if (taskId && item[A.STATE]?.S === "reported") {
            reported.set(taskId, retryAt ? { findingsRetryAt: Number(retryAt) } : {});
          }
        }
        const unprocessed = output.UnprocessedKeys?.[this.tableName];
        request = unprocessed?.Keys?.length ? { ...request, Keys: unprocessed.Keys } : void 0;
      }
    }
    return reported;
  }
  /**
   * Claims `taskId` for this run: succeeds when nobody has, or when the claim there is older than
   * `staleMs` (its run is over). Returns undefined when another run holds it or reported it.
   */
  async claim(taskId, claimId, now, staleMs) {
    try {
      await this.dynamodb.send(new import_client_dynamodb.PutItemCommand({
        TableName: this.tableName,
        Item: {
          [A.TASK_ID]: { S: taskId },
          [A.STATE]: { S: "claimed" },
          [A.CLAIM_ID]: { S: claimId },
          [A.CLAIMED_AT]: { N: String(now.getTime()) },
          [A.EXPIRES_AT]: { N: String(expiresAt(now)) }
        },
        ConditionExpression: "attribute_not_exists(#taskId) OR (#state = :claimed AND #claimedAt < :stale)",
        ExpressionAttributeNames: { "#taskId": A.TASK_ID, "#state": A.STATE, "#claimedAt": A.CLAIMED_AT },
        ExpressionAttributeValues: { ":claimed": { S: "claimed" }, ":stale": { N: String(now.getTime() - staleMs) } }
      }));
      return { taskId, claimId };
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") {
        return void 0;
      }
      throw error;
    }
  }
  /** Gives a claim up (nothing was reported), so the next run reports the task. No-op if it is no longer ours. */
  async release(claim) {
    try {
      await this.dynamodb.send(new import_client_dynamodb.DeleteItemCommand({
        TableName: this.tableName,
        Key: { [A.TASK_ID]: { S: claim.taskId } },
        ConditionExpression: "#state = :claimed AND #claimId = :claimId",
        ExpressionAttributeNames: { "#state": A.STATE, "#claimId": A.CLAIM_ID },
        ExpressionAttributeValues: { ":claimed": { S: "claimed" }, ":claimId": { S: claim.claimId } }
      }));
    } catch (error) {
      if (errorName(error) !== "ConditionalCheckFailedException") {
        throw error;
      }
    }
  }
  /** Records that the task was reported (see `ReportedOptions`). */
  async markReported(claim, now, options = {}) {
    const retry = options.findingsRetryAt !== void 0;
    await this.dynamodb.send(new import_client_dynamodb.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [A.TASK_ID]: { S: claim.taskId } },
      UpdateExpression: `SET #state = :reported, #reportedAt = :now, #expiresAt = :expiresAt, #failed = :failed${retry ? ", #retryAt = :retryAt" : ""}`,
      ExpressionAttributeNames: {
        "#state": A.STATE,
        "#reportedAt": A.REPORTED_AT,
        "#expiresAt": A.EXPIRES_AT,
        "#failed": A.FAILED,
        ...retry ? { "#retryAt": A.FINDINGS_RETRY_AT } : {}
      },
      ExpressionAttributeValues: {
        ":reported": { S: "reported" },
        ":now": { N: String(now.getTime()) },
        ":expiresAt": { N: String(expiresAt(now)) },
        ":failed": { BOOL: options.failed ?? false },
        ...retry ? { ":retryAt": { N: String(options.findingsRetryAt) } } : {}
      }
    }));
  }
  /** Records that the task's Security Hub findings need no other look. */
  async findingsDone(taskId) {
    await this.dynamodb.send(new import_client_dynamodb.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [A.TASK_ID]: { S: taskId } },
      UpdateExpression: "REMOVE #retryAt",
      ExpressionAttributeNames: { "#retryAt": A.FINDINGS_RETRY_AT }
    }));
  }
};
function sleep2(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// src/contract/organization.ts
var MAX_REGION_NAME_LENGTH = 15;
var MAX_SPOKE_ROLE_BASE_NAME_LENGTH = 64 - 1 - MAX_REGION_NAME_LENGTH;
var SPOKE_ROLE_BASE_NAME_PATTERN = new RegExp(`^[\\w+=,.@-]{1,${MAX_SPOKE_ROLE_BASE_NAME_LENGTH}}$`);
function partitionOf(region) {
  const partitions = [
    ["cn-", "aws-cn"],
    ["us-gov-", "aws-us-gov"],
    ["us-isob-", "aws-iso-b"],
    ["us-isof-", "aws-iso-f"],
    ["eu-isoe-", "aws-iso-e"],
    ["us-iso-", "aws-iso"],
    ["eusc-", "aws-eusc"]
  ];
  return partitions.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}

// src/handlers/task-follower.lambda.ts
var iot = createIotClient();
var dynamodb = new import_client_dynamodb2.DynamoDBClient({});
var securityHub = new import_client_securityhub2.SecurityHubClient({});
async function handler(_event) {
  const config = await openConfig(process.env, readFollowerConfig);
  const now = /* @__PURE__ */ new Date();
  const { window, kinds } = listingOf(config, now);
  let candidates;
  try {
    candidates = candidatesOf(await listTasks(kinds, window), config);
  } catch (error) {
    if (!isPermanent(error)) {
      throw error;
    }
    await new Reporter(void 0).permanentFailure("follow-failed", error);
    return { reported: [], claimedElsewhere: [], failed: [], retrying: [] };
  }
  const ledger = new Ledger(dynamodb, config.tableName);
  const reported = await ledger.reported(candidates.map((c) => c.taskId));
  const claimId = (0, import_crypto.randomUUID)();
  const region = await securityHub.config.region();
  const findings = new FindingUpdater(securityHub, { partition: partitionOf(region), region });
  const summary = { reported: [], claimedElsewhere: [], failed: [], retrying: [] };
  const into = {
    "reported": summary.reported,
    "claimed-elsewhere": summary.claimedElsewhere,
    "failed": summary.failed,
    "retrying": summary.retrying
  };
  for (const candidate of candidates) {
    const done = reported.get(candidate.taskId);
    if (done) {
      const dueAt = done.findingsRetryAt;
      if (dueAt !== void 0 && dueAt <= now.getTime()) {
        await followFindings(candidate, {
          readOutcome: () => readFinishedTask(iot, { kind: candidate.kind, taskId: candidate.taskId }),
          updateFindings: (task) => findings.update(task, reporterOf(candidate.followed)),
          done: () => ledger.findingsDone(candidate.taskId),
          dueAt,
          now
        });
      }
      continue;
    }
    into[await followTask(candidate, {
      claims: {
        claim: () => ledger.claim(candidate.taskId, claimId, now, CLAIM_STALE_MS),
        release: (claim) => ledger.release(claim),
        markReported: (claim, options) => ledger.markReported(claim, now, options)
      },
      readOutcome: () => readFinishedTask(iot, { kind: candidate.kind, taskId: candidate.taskId }),
      updateFindings: (task) => findings.update(task, reporterOf(candidate.followed)),
      now
    })].push(candidate.taskId);
  }
  if (summary.retrying.length > 0) {
    throw new Error(`task outcomes to retry: ${summary.retrying.join(", ")}`);
  }
  return summary;
}
function reporterOf(followed) {
  return new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn);
}
async function listTasks(kinds, window) {
  const listed = [];
  if (kinds.includes("audit")) {
    for await (const page of (0, import_client_iot3.paginateListAuditMitigationActionsTasks)({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) {
        listed.push({ kind: "audit", taskId: t.taskId, status: t.taskStatus });
      }
    }
  }
  if (kinds.includes("detect")) {
    for await (const page of (0, import_client_iot3.paginateListDetectMitigationActionsTasks)({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) {
        listed.push({ kind: "detect", taskId: t.taskId, status: t.taskStatus });
      }
    }
  }
  return listed;
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
