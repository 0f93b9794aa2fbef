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

// src/contract/environment.ts
var AUDIT_ENV = {
  RULES: "AUDIT_MITIGATION_RULES",
  SCHEDULED_AUDITS: "AUDIT_MITIGATION_SCHEDULED_AUDITS",
  INCLUDE_ON_DEMAND: "AUDIT_MITIGATION_INCLUDE_ON_DEMAND",
  DRY_RUN: "AUDIT_MITIGATION_DRY_RUN",
  MAX_FINDINGS_PER_CHECK: "AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK",
  TASK_ID_PREFIX: "AUDIT_MITIGATION_TASK_ID_PREFIX",
  REPORT_TOPIC_ARN: "AUDIT_MITIGATION_REPORT_TOPIC_ARN",
  RECONCILE_LOOKBACK_HOURS: "AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS",
  /** The value of the `Mitigation` metric dimension and of events' `detail.mitigation`: the construct's path. */
  MITIGATION: "AUDIT_MITIGATION_NAME",
  /** The ARN of the event bus the handler puts its events on; absent = the account's default bus. */
  EVENT_BUS: "AUDIT_MITIGATION_EVENT_BUS"
};

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
  const { MITIGATION: MITIGATION2, ACCOUNT, REGION } = METRIC_DIMENSIONS;
  const perMitigation = line.dimensionSets.some((set) => set.length === 1 && set[0] === MITIGATION2);
  return {
    dimensions: { ...line.dimensions, [ACCOUNT]: spoke.account, [REGION]: spoke.region },
    dimensionSets: perMitigation ? [...line.dimensionSets, [MITIGATION2, ACCOUNT, REGION]] : line.dimensionSets,
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
    const report2 = fitReport(event, level, spoke ? { ...fields, ...spoke } : fields);
    log(level, event, report2.fields);
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
            Message: report2.text
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

// src/handlers/audit-mitigation/config.ts
function lookback(hours) {
  return { reconcileLookbackHours: hours, maxAuditAgeHours: hours };
}
function readAuditConfig(env, accountId) {
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
    eventBus: env[AUDIT_ENV.EVENT_BUS] || void 0,
    mitigation: required(env, AUDIT_ENV.MITIGATION),
    ...lookback(positiveInteger(env, AUDIT_ENV.RECONCILE_LOOKBACK_HOURS))
  };
}

// src/handlers/shared/ids.ts
var import_crypto = require("crypto");

// src/contract/limits.ts
var TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
var AUDIT_TASK_ID_PATTERN = /^[a-zA-Z0-9-]{1,40}$/;

// src/handlers/shared/ids.ts
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
function tooOld(audit, config, now) {
  if (config.maxAuditAgeHours === void 0) {
    return void 0;
  }
  if (!audit.taskStartTime) {
    return `DescribeAuditTask gave no taskStartTime, so the audit's age cannot be checked against ${config.maxAuditAgeHours} h (reconcileLookback)`;
  }
  const ageHours = (now.getTime() - audit.taskStartTime.getTime()) / 36e5;
  if (ageHours <= config.maxAuditAgeHours) {
    return void 0;
  }
  return `audit started ${audit.taskStartTime.toISOString()}, ${Math.floor(ageHours)} h ago: older than reconcileLookback (${config.maxAuditAgeHours} h), so it is not mitigated (start a task for it by hand, e.g. with AuditMitigationTask, after review)`;
}
function planAuditMitigation(audit, config, now) {
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
  const age = tooOld(audit, config, now);
  if (age) {
    return { kind: "ignore", auditTaskId: audit.taskId, reason: `too-old: ${age}`, tooOld: true };
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

// src/handlers/shared/decision-signals.ts
var MITIGATION = METRIC_DIMENSIONS.MITIGATION;
var CHECK = METRIC_DIMENSIONS.CHECK;
function mitigationCounts(mitigation, values) {
  return { dimensions: { [MITIGATION]: mitigation }, dimensionSets: [[MITIGATION]], values };
}
function auditPlanMetricLines(mitigation, plan) {
  const sets = [[MITIGATION], [MITIGATION, CHECK]];
  return [
    ...plan.checks.map((check) => ({
      dimensions: { [MITIGATION]: mitigation, [CHECK]: check.checkName },
      dimensionSets: sets,
      values: { [METRICS.FINDINGS_FOUND]: check.resourceCount }
    })),
    ...plan.excluded.map((check) => ({
      dimensions: { [MITIGATION]: mitigation, [CHECK]: check.checkName },
      dimensionSets: sets,
      values: {
        ...check.resourceCount > 0 ? { [METRICS.FINDINGS_FOUND]: check.resourceCount } : {},
        [METRICS.CHECKS_EXCLUDED]: 1,
        [METRICS.FINDINGS_EXCLUDED]: check.resourceCount
      }
    }))
  ];
}
function auditTaskStartedEvent(mitigation, plan, alreadyStarted) {
  const detail = {
    mitigation,
    taskKind: "audit",
    taskId: plan.taskId,
    auditTaskId: plan.auditTaskId,
    checks: actionsMapping(plan.checks),
    alreadyStarted
  };
  return { detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail };
}
function checksExcludedEvents(mitigation, plan) {
  if (plan.excluded.length === 0) {
    return [];
  }
  const detail = {
    mitigation,
    auditTaskId: plan.auditTaskId,
    taskId: plan.taskId,
    excluded: plan.excluded.map((c) => ({ checkName: c.checkName, findings: c.resourceCount, reason: c.reason }))
  };
  return [{ detailType: EVENT_DETAIL_TYPES.CHECKS_EXCLUDED, detail }];
}
function auditDryRunEvent(mitigation, plan) {
  const detail = {
    mitigation,
    taskKind: "audit",
    taskId: plan.taskId,
    auditTaskId: plan.auditTaskId,
    checks: actionsMapping(plan.checks)
  };
  return { detailType: EVENT_DETAIL_TYPES.DRY_RUN, detail };
}

// src/handlers/shared/effects.ts
function logLine(level, event, fields = {}) {
  return { kind: "log", level, event, fields };
}
function metricLines(...lines) {
  return { kind: "metrics", lines };
}
function report(level, event, fields, events = []) {
  return { kind: "report", level, event, fields, events };
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

// src/handlers/shared/message.ts
var MalformedMessageError = class extends PermanentError {
  constructor(what, reason) {
    super("MalformedMessageError", `malformed ${what}: ${reason}`);
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

// src/handlers/shared/audit-decide.ts
function parseInvocation(event) {
  const e = event;
  if ("Records" in e && Array.isArray(e.Records)) {
    return { kind: "notifications", messages: e.Records.map((record) => record.Sns?.Message ?? "") };
  }
  if (e.source === "aws.events") {
    return { kind: "reconcile" };
  }
  return { kind: "unknown", received: JSON.stringify(event).slice(0, 2e3) };
}
function decideUnknownEvent(received) {
  return [permanentFailure("unknown-event", new MalformedMessageError("event", "neither an SNS notification nor a scheduled event"), { received })];
}
function decideNotification(trigger, message, config) {
  if (trigger instanceof MalformedMessageError) {
    return {
      kind: "done",
      effects: [permanentFailure("malformed-notification", trigger, { received: message.slice(0, 2e3) })],
      outcome: { decision: "malformed", reason: trigger.message }
    };
  }
  const reason = reasonToIgnoreTrigger(trigger, config);
  if (reason) {
    return {
      kind: "done",
      effects: [logLine("INFO", "ignored", { auditTaskId: trigger.taskId, reason, trigger: "notification" })],
      outcome: { auditTaskId: trigger.taskId, decision: "ignored", reason }
    };
  }
  return { kind: "audit", auditTaskId: trigger.taskId };
}
function reconcileWindow(config, now) {
  return {
    startTime: new Date(now.getTime() - config.reconcileLookbackHours * 36e5),
    endTime: now,
    taskTypes: config.includeOnDemandAudits ? ["SCHEDULED_AUDIT_TASK", "ON_DEMAND_AUDIT_TASK"] : ["SCHEDULED_AUDIT_TASK"]
  };
}
function decideAudit(facts, config, now) {
  const { trigger, auditTaskId } = facts;
  if (trigger === "reconciler") {
    const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
    if (facts.taskExists === void 0) {
      return { kind: "check-task", taskId };
    }
    if (facts.taskExists) {
      return { kind: "done", effects: [logLine("DEBUG", "already-mitigated", { auditTaskId, taskId, trigger })], outcome: { auditTaskId, decision: "already-mitigated", taskId } };
    }
  }
  if (!facts.audit) {
    return { kind: "describe" };
  }
  if (!("value" in facts.audit)) {
    return describeFailed(auditTaskId, trigger, facts.audit);
  }
  const plan = planAuditMitigation(facts.audit.value, config, now);
  if (trigger === "reconciler" && !(plan.kind === "start" && !config.dryRun)) {
    const decision = plan.kind === "start" ? "dry-run" : plan.kind === "ignore" ? "ignored" : "nothing-to-start";
    const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
    const fields = plan.kind === "ignore" ? { reason: plan.reason } : { checks: plan.checks, excluded: plan.excluded };
    return { kind: "done", effects: [logLine("INFO", decision, { auditTaskId, taskId, trigger, ...fields })], outcome: { auditTaskId, decision, taskId } };
  }
  return decidePlan(plan, config, trigger, facts.started);
}
function describeFailed(auditTaskId, trigger, failure) {
  const { error } = failure;
  if (failure.errorClass !== "permanent") {
    return { kind: "retry", effects: [logLine("WARN", "retrying", { auditTaskId, trigger, error: errorName(error), message: errorMessage(error) })], error };
  }
  const reason = errorName(error) === "ResourceNotFoundException" ? `DescribeAuditTask does not know audit ${auditTaskId}: no such audit in this account and region, so nothing is started` : `DescribeAuditTask failed for audit ${auditTaskId} (${errorName(error)}), so nothing is started`;
  return {
    kind: "done",
    effects: [permanentFailure("describe-audit-failed", error, { reason, auditTaskId, trigger })],
    outcome: { auditTaskId, decision: "failed-permanently", reason }
  };
}
function detailsOf(plan, trigger) {
  return {
    auditTaskId: plan.auditTaskId,
    scheduledAuditName: plan.scheduledAuditName,
    taskId: plan.taskId,
    trigger,
    checks: plan.checks,
    excluded: plan.excluded,
    skipped: plan.skipped
  };
}
function decidePlan(plan, config, trigger, started) {
  const { mitigation } = config;
  if (plan.kind === "ignore") {
    return {
      kind: "done",
      effects: [
        logLine(plan.tooOld ? "WARN" : "INFO", "ignored", { auditTaskId: plan.auditTaskId, reason: plan.reason, trigger }),
        ...plan.tooOld ? [metricLines(mitigationCounts(mitigation, { [METRICS.AUDITS_TOO_OLD]: 1 }))] : []
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: "ignored", reason: plan.reason }
    };
  }
  const details = detailsOf(plan, trigger);
  const excludedEvents = checksExcludedEvents(mitigation, plan);
  const planMetrics = metricLines(...auditPlanMetricLines(mitigation, plan));
  if (plan.kind === "nothing-to-start") {
    return {
      kind: "done",
      effects: [
        plan.excluded.length > 0 ? report("WARN", "nothing-to-start", details, excludedEvents) : logLine("INFO", "nothing-to-start", details),
        planMetrics
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: "nothing-to-start", taskId: plan.taskId }
    };
  }
  if (config.dryRun) {
    return {
      kind: "done",
      effects: [
        report("INFO", "dry-run", details, [auditDryRunEvent(mitigation, plan), ...excludedEvents]),
        metricLines(mitigationCounts(mitigation, { [METRICS.DRY_RUN_PLANS]: 1 })),
        planMetrics
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: "dry-run", taskId: plan.taskId }
    };
  }
  if (!started) {
    return {
      kind: "start",
      request: {
        taskId: plan.taskId,
        clientRequestToken: plan.clientRequestToken,
        target: { auditTaskId: plan.auditTaskId },
        auditCheckToActionsMapping: actionsMapping(plan.checks)
      }
    };
  }
  if (!("value" in started)) {
    const { error } = started;
    if (started.errorClass !== "permanent") {
      return { kind: "retry", effects: [logLine("WARN", "retrying", { ...details, error: errorName(error), message: errorMessage(error) })], error };
    }
    return {
      kind: "done",
      effects: [permanentFailure("mitigation-failed", error, details)],
      outcome: { auditTaskId: plan.auditTaskId, decision: "failed-permanently", taskId: plan.taskId, reason: errorMessage(error) }
    };
  }
  const outcome = started.value;
  const counts = outcome === "started" ? [metricLines(
    mitigationCounts(mitigation, { [METRICS.TASKS_STARTED]: 1, ...trigger === "reconciler" ? { [METRICS.AUDITS_RECOVERED]: 1 } : {} }),
    ...auditPlanMetricLines(mitigation, plan)
  )] : [];
  return {
    kind: "done",
    effects: [
      ...counts,
      report(
        plan.excluded.length > 0 ? "WARN" : "INFO",
        outcome === "started" ? "mitigation-started" : "mitigation-already-started",
        details,
        [auditTaskStartedEvent(mitigation, plan, outcome !== "started"), ...excludedEvents]
      )
    ],
    outcome: { auditTaskId: plan.auditTaskId, decision: outcome, taskId: plan.taskId }
  };
}

// src/handlers/shared/audit-engine.ts
var import_client_iot2 = require("@aws-sdk/client-iot");

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
    taskStartTime: task.taskStartTime instanceof Date && !Number.isNaN(task.taskStartTime.getTime()) ? task.taskStartTime : void 0,
    checks: Object.entries(task.auditDetails ?? {}).map(([checkName, d]) => ({
      checkName,
      checkRunStatus: d.checkRunStatus ?? "UNKNOWN",
      nonCompliantResourcesCount: count(d.nonCompliantResourcesCount),
      // Missing = none suppressed: counts more resources, never fewer, against the limit.
      suppressedNonCompliantResourcesCount: count(d.suppressedNonCompliantResourcesCount) ?? 0
    }))
  };
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot = require("@aws-sdk/client-iot");
function createIotClient(limits, spoke) {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits ? new import_client_iot.IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } }) : new import_client_iot.IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
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
  if (await found(describe)) {
    return "already-exists";
  }
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
async function found(describe) {
  try {
    await describe();
    return true;
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") {
      return false;
    }
    throw error;
  }
}
async function describeAudit(iot2, auditTaskId) {
  return summaryFromDescribe(auditTaskId, await iot2.send(new import_client_iot.DescribeAuditTaskCommand({ taskId: auditTaskId })));
}
async function auditMitigationTaskExists(iot2, taskId) {
  return found(() => iot2.send(new import_client_iot.DescribeAuditMitigationActionsTaskCommand({ taskId })));
}

// src/handlers/shared/audit-engine.ts
function readTrigger(message) {
  try {
    return parseAuditNotification(message);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    return error;
  }
}
async function onNotification(message, context, now) {
  const decision = decideNotification(readTrigger(message), message, context.config);
  if (decision.kind === "done") {
    await perform(decision.effects, context.reporter);
    return decision.outcome;
  }
  return handleAudit({ trigger: "notification", auditTaskId: decision.auditTaskId }, context, now);
}
async function handleAudit(start, context, now) {
  const { iot: iot2, config, reporter } = context;
  let facts = start;
  for (; ; ) {
    const step = decideAudit(facts, config, now);
    switch (step.kind) {
      case "check-task":
        facts = { ...facts, taskExists: await auditMitigationTaskExists(iot2, step.taskId) };
        break;
      case "describe":
        facts = { ...facts, audit: await answerOf(() => describeAudit(iot2, start.auditTaskId)) };
        break;
      case "start":
        facts = { ...facts, started: await answerOf(() => startAuditMitigationTask(iot2, step.request)) };
        break;
      case "retry":
        await perform(step.effects, reporter);
        throw step.error;
      case "done":
        await perform(step.effects, reporter);
        return step.outcome;
    }
  }
}
async function reconcile(context, now, logFields = {}) {
  const { startTime, endTime, taskTypes } = reconcileWindow(context.config, now);
  const trigger = "reconciler";
  const outcomes = [];
  let transient;
  for (const taskType of taskTypes) {
    const pages = (0, import_client_iot2.paginateListAuditTasks)(
      { client: context.iot, pageSize: 100 },
      { startTime, endTime, taskType, taskStatus: "COMPLETED" }
    );
    for await (const page of pages) {
      for (const task of page.tasks ?? []) {
        if (!task.taskId) {
          continue;
        }
        try {
          outcomes.push(await handleAudit({ trigger, auditTaskId: task.taskId }, context, now));
        } catch (error) {
          transient = error;
        }
      }
    }
  }
  log("INFO", "reconciled", {
    ...logFields,
    startTime,
    endTime,
    audits: outcomes.length,
    started: outcomes.filter((o) => o.decision === "started").length
  });
  if (transient) {
    throw transient;
  }
  return outcomes;
}

// src/handlers/audit-mitigation.lambda.ts
var iot = createIotClient();
async function handler(event, context) {
  const account = context.invokedFunctionArn.split(":")[4];
  const config = await openConfig(process.env, (env) => readAuditConfig(env, account), AUDIT_ENV);
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  const local = { account, region: process.env.AWS_REGION ?? "", iot, config, reporter };
  const now = /* @__PURE__ */ new Date();
  const invocation = parseInvocation(event);
  switch (invocation.kind) {
    case "notifications": {
      const outcomes = [];
      for (const message of invocation.messages) {
        outcomes.push(await onNotification(message, local, now));
      }
      return outcomes;
    }
    case "reconcile":
      return reconcile(local, now);
    case "unknown":
      await perform(decideUnknownEvent(invocation.received), reporter);
      return [];
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
