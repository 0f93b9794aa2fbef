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

// src/handlers/detect-mitigation/active-violations.ts
var import_client_iot = require("@aws-sdk/client-iot");

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

// src/handlers/detect-mitigation/active-violations.ts
var PAGE_SIZE = 250;
var MAX_LOOKUP_PAGES = 20;
function planLookups(alerts) {
  if (alerts.length === 0) {
    return [];
  }
  const unique = (ids) => [...new Set(ids)];
  if (alerts.some((a) => a.thingName === void 0)) {
    return [{ violationIds: unique(alerts.map((a) => a.violationId)) }];
  }
  const byThing = /* @__PURE__ */ new Map();
  for (const a of alerts) {
    byThing.set(a.thingName, [...byThing.get(a.thingName) ?? [], a.violationId]);
  }
  return [...byThing].map(([thingName, ids]) => ({ thingName, violationIds: unique(ids) }));
}
async function lookUpActiveViolations(iot2, securityProfileName, lookup) {
  const wanted = new Set(lookup.violationIds);
  const active = /* @__PURE__ */ new Map();
  let pages = 0;
  let read = 0;
  const paginator = (0, import_client_iot.paginateListActiveViolations)({ client: iot2, pageSize: PAGE_SIZE }, { securityProfileName, thingName: lookup.thingName });
  for await (const page of paginator) {
    pages += 1;
    for (const violation of page.activeViolations ?? []) {
      read += 1;
      const profile = violation.securityProfileName ?? securityProfileName;
      if (violation.violationId && wanted.has(violation.violationId) && profile === securityProfileName) {
        active.set(violation.violationId, violation);
      }
    }
    if (active.size === wanted.size) {
      break;
    }
    if (pages >= MAX_LOOKUP_PAGES && page.nextToken) {
      return { active, stoppedAfter: read };
    }
  }
  return { active };
}
function verifiedAlert(alert, violation) {
  return { ...alert, thingName: violation.thingName, behaviorName: violation.behavior?.name };
}
var UnverifiedViolationError = class extends PermanentError {
  constructor(violationId, securityProfileName, stoppedAfter) {
    super("UnverifiedViolationError", `violation ${violationId} is not an active violation of security profile ${securityProfileName} (ListActiveViolations)` + (stoppedAfter ? `; the alert names no thing, and only the profile's first ${stoppedAfter} active violations were read` : ""));
  }
};

// src/contract/environment.ts
var DETECT_ENV = {
  SECURITY_PROFILE: "DETECT_MITIGATION_SECURITY_PROFILE",
  ACTIONS: "DETECT_MITIGATION_ACTIONS",
  BEHAVIORS: "DETECT_MITIGATION_BEHAVIORS",
  DRY_RUN: "DETECT_MITIGATION_DRY_RUN",
  TASK_ID_PREFIX: "DETECT_MITIGATION_TASK_ID_PREFIX",
  REPORT_TOPIC_ARN: "DETECT_MITIGATION_REPORT_TOPIC_ARN",
  /** The value of the `Mitigation` metric dimension and of events' `detail.mitigation`: the construct's path. */
  MITIGATION: "DETECT_MITIGATION_NAME",
  /** The ARN of the event bus the handler puts its events on; absent = the account's default bus. */
  EVENT_BUS: "DETECT_MITIGATION_EVENT_BUS"
};

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
var utf8Bytes = (text2) => Buffer.byteLength(text2, "utf8");
function cutText(text2, max) {
  if (text2.length <= max) {
    return text2;
  }
  const head = text2.slice(0, max);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}\u2026 [truncated: ${text2.length} characters]`;
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
    const text2 = render(cutFields);
    if (utf8Bytes(text2) <= maxBytes) {
      return { text: text2, fields: cutFields };
    }
  }
  for (let chars = maxBytes; ; chars = Math.floor(chars * 0.9)) {
    const excerptFields = { truncated: `${over}: this is its beginning`, excerpt: cutText(whole, chars) };
    const text2 = render(excerptFields);
    if (utf8Bytes(text2) <= maxBytes) {
      return { text: text2, fields: excerptFields };
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
async function reportSent(send, fields) {
  try {
    await send();
    return true;
  } catch (error) {
    log("WARN", "report-failed", { ...fields, error: errorName(error), message: errorMessage(error) });
    return false;
  }
}

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
async function openConfig(env, read, reporting) {
  try {
    return read(env);
  } catch (error) {
    const value = (name) => name ? env[name] || void 0 : void 0;
    await new Reporter(value(reporting?.REPORT_TOPIC_ARN), value(reporting?.MITIGATION), value(reporting?.EVENT_BUS)).permanentFailure("config-error", error);
    throw error;
  }
}

// src/handlers/detect-mitigation/config.ts
function readDetectConfig(env) {
  const behaviors = env[DETECT_ENV.BEHAVIORS];
  return {
    securityProfileName: required(env, DETECT_ENV.SECURITY_PROFILE),
    actions: json(DETECT_ENV.ACTIONS, required(env, DETECT_ENV.ACTIONS)),
    behaviors: behaviors ? json(DETECT_ENV.BEHAVIORS, behaviors) : void 0,
    dryRun: env[DETECT_ENV.DRY_RUN] === "true",
    taskIdPrefix: required(env, DETECT_ENV.TASK_ID_PREFIX),
    reportTopicArn: env[DETECT_ENV.REPORT_TOPIC_ARN] || void 0,
    eventBus: env[DETECT_ENV.EVENT_BUS] || void 0,
    mitigation: required(env, DETECT_ENV.MITIGATION)
  };
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

// src/handlers/detect-mitigation/violation.ts
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
  const thingName = body.thingName;
  if (thingName !== void 0 && (typeof thingName !== "string" || thingName.length < 1 || thingName.length > 128)) {
    throw new MalformedMessageError(WHAT, "thingName must be a string of 1 to 128 characters");
  }
  return {
    violationId,
    violationEventType: text(body, "violationEventType"),
    securityProfileName: text(body, "securityProfileName"),
    thingName,
    behaviorName: behavior && typeof behavior.name === "string" ? behavior.name : void 0
  };
}
function reasonNotToVerify(alert, config) {
  if (alert.violationEventType !== "in-alarm") {
    return `violation event ${alert.violationEventType}, not in-alarm`;
  }
  if (alert.securityProfileName !== config.securityProfileName) {
    return `security profile ${alert.securityProfileName}, not ${config.securityProfileName}`;
  }
  return void 0;
}
function reasonToIgnore(alert, config) {
  const reason = reasonNotToVerify(alert, config);
  if (reason) {
    return reason;
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

// src/contract/limits.ts
var MAX_VIOLATIONS_PER_TASK = 25;

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

// src/handlers/shared/decision-signals.ts
var MITIGATION = METRIC_DIMENSIONS.MITIGATION;
var CHECK = METRIC_DIMENSIONS.CHECK;
function mitigationCounts(mitigation, values) {
  return { dimensions: { [MITIGATION]: mitigation }, dimensionSets: [[MITIGATION]], values };
}
function detectTaskStartedEvent(mitigation, taskId, violationIds, actions, alreadyStarted) {
  const detail = { mitigation, taskKind: "detect", taskId, violationIds, actions, alreadyStarted };
  return { detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail };
}
function detectDryRunEvent(mitigation, taskId, violationIds, actions) {
  const detail = { mitigation, taskKind: "detect", taskId, violationIds, actions };
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

// src/handlers/shared/targets.ts
function chunk(items, size) {
  const chunks = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

// src/handlers/detect-mitigation/decide.ts
function decideAlerts(records, config) {
  const notices = [];
  const received = [];
  for (const { messageId, body, alert } of records) {
    if (alert instanceof MalformedMessageError) {
      notices.push({
        effects: [permanentFailure("malformed-alert", alert, { messageId, received: body.slice(0, 2e3) })],
        onFailure: { messageIds: [messageId], fields: { messageIds: [messageId] } }
      });
      continue;
    }
    const reason = reasonNotToVerify(alert, config);
    if (reason) {
      notices.push({ effects: [logLine("INFO", "ignored", { violationId: alert.violationId, reason })] });
      continue;
    }
    received.push({ messageId, alert });
  }
  return { notices, received };
}
function decideVerification(received, lookups, answers, config) {
  const { securityProfileName } = config;
  const notices = [];
  for (const lookup of lookups) {
    const answer = answers.get(lookup);
    if (!("value" in answer) && answer.errorClass !== "permanent") {
      notices.push({
        effects: [logLine("WARN", "retrying", {
          securityProfileName,
          thingName: lookup.thingName,
          violationIds: lookup.violationIds,
          error: errorName(answer.error),
          message: errorMessage(answer.error)
        })]
      });
    }
  }
  const retry = [];
  const verified = [];
  for (const { messageId, alert } of received) {
    const lookup = lookups.find((l) => l.thingName === void 0 || l.thingName === alert.thingName);
    const answer = answers.get(lookup);
    const violation = "value" in answer ? answer.value.active.get(alert.violationId) : void 0;
    if (violation) {
      verified.push({ messageId, alert: verifiedAlert(alert, violation) });
      continue;
    }
    if (!("value" in answer) && answer.errorClass !== "permanent") {
      retry.push(messageId);
      continue;
    }
    const [kind, error] = "value" in answer ? ["unverified-violation", new UnverifiedViolationError(alert.violationId, securityProfileName, answer.value.stoppedAfter)] : ["verification-failed", answer.error];
    notices.push({
      effects: [permanentFailure(kind, error, { messageId, violationId: alert.violationId, securityProfileName })],
      onFailure: { messageIds: [messageId], fields: { messageIds: [messageId] } }
    });
  }
  return { notices, retry, verified };
}
function decideBatch(verified, config) {
  const notices = [];
  const thingOf = /* @__PURE__ */ new Map();
  const messagesOf = /* @__PURE__ */ new Map();
  for (const { messageId, alert } of verified) {
    const reason = reasonToIgnore(alert, config);
    if (reason) {
      notices.push({ effects: [logLine("INFO", "ignored", { violationId: alert.violationId, thingName: alert.thingName, reason })] });
      continue;
    }
    thingOf.set(alert.violationId, alert.thingName);
    messagesOf.set(alert.violationId, [...messagesOf.get(alert.violationId) ?? [], messageId]);
  }
  return { notices, batch: { thingOf, messagesOf, tasks: chunk([...messagesOf.keys()].sort(), MAX_VIOLATIONS_PER_TASK) } };
}
function detailsOf(violationIds, batch, config, splitFrom) {
  return {
    taskId: detectMitigationTaskId(config.taskIdPrefix, violationIds),
    securityProfileName: config.securityProfileName,
    violationIds,
    thingNames: violationIds.map((id) => batch.thingOf.get(id)),
    actions: config.actions,
    ...splitFrom ? { splitFrom } : {}
  };
}
function decideTask(violationIds, batch, config, started, splitFrom) {
  const fields = detailsOf(violationIds, batch, config, splitFrom);
  const { taskId } = fields;
  const messageIds = violationIds.flatMap((id) => batch.messagesOf.get(id) ?? []);
  const onFailure = { messageIds, fields: { taskId, violationIds } };
  if (config.dryRun) {
    return {
      kind: "notify",
      notice: {
        // The count after the report and the event: a redelivered batch whose report failed did not count it yet.
        effects: [
          report("INFO", "dry-run", fields, [detectDryRunEvent(config.mitigation, taskId, violationIds, config.actions)]),
          metricLines(mitigationCounts(config.mitigation, { [METRICS.DRY_RUN_PLANS]: 1 }))
        ],
        onFailure
      }
    };
  }
  if (!started) {
    return { kind: "start", request: { taskId, violationIds, actions: config.actions } };
  }
  if ("value" in started) {
    const outcome = started.value;
    return {
      kind: "notify",
      notice: {
        effects: [
          ...outcome === "started" ? [metricLines(mitigationCounts(config.mitigation, { [METRICS.TASKS_STARTED]: 1 }))] : [],
          report(
            "INFO",
            outcome === "started" ? "mitigation-started" : "mitigation-already-started",
            fields,
            [detectTaskStartedEvent(config.mitigation, taskId, violationIds, config.actions, outcome !== "started")]
          )
        ],
        onFailure
      }
    };
  }
  const error = { error: errorName(started.error), message: errorMessage(started.error) };
  switch (afterStartFailure(started.errorClass === "permanent", violationIds.length)) {
    case "retry-later":
      return { kind: "retry", effects: [logLine("WARN", "retrying", { ...fields, ...error })], messageIds };
    case "give-up":
      return { kind: "notify", notice: { effects: [permanentFailure("mitigation-failed", started.error, fields)], onFailure } };
    case "split":
      return {
        kind: "split",
        effects: [logLine("WARN", "splitting", { ...fields, ...error, reason: "AWS IoT refused the batch: starting one task per violation" })],
        parts: violationIds.map((id) => [id]),
        splitFrom: taskId
      };
  }
}

// src/handlers/shared/iot-tasks.ts
var import_client_iot2 = require("@aws-sdk/client-iot");
function createIotClient(limits, spoke) {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits ? new import_client_iot2.IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } }) : new import_client_iot2.IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
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
async function startDetectMitigationTask(iot2, request) {
  return startOnce(
    () => iot2.send(new import_client_iot2.StartDetectMitigationActionsTaskCommand({
      taskId: request.taskId,
      target: { violationIds: request.violationIds },
      actions: request.actions,
      includeOnlyActiveViolations: true,
      clientRequestToken: clientRequestToken(request.taskId)
    })),
    () => iot2.send(new import_client_iot2.DescribeDetectMitigationActionsTaskCommand({ taskId: request.taskId }))
  );
}

// src/handlers/detect-mitigation.lambda.ts
var iot = createIotClient();
async function handler(event) {
  const config = await openConfig(process.env, readDetectConfig, DETECT_ENV);
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  const retry = /* @__PURE__ */ new Set();
  const say = (notices2) => sayAll(notices2, reporter, retry);
  const records = event.Records.map((record) => ({ messageId: record.messageId, body: record.body, alert: readAlert(record.body) }));
  const alerts = decideAlerts(records, config);
  await say(alerts.notices);
  const lookups = planLookups(alerts.received.map((r) => r.alert));
  const answers = /* @__PURE__ */ new Map();
  for (const lookup of lookups) {
    answers.set(lookup, await answerOf(() => lookUpActiveViolations(iot, config.securityProfileName, lookup)));
  }
  const verification = decideVerification(alerts.received, lookups, answers, config);
  verification.retry.forEach((id) => retry.add(id));
  await say(verification.notices);
  const { notices, batch } = decideBatch(verification.verified, config);
  await say(notices);
  for (const violationIds of batch.tasks) {
    await mitigate(violationIds, batch, config, reporter, retry);
  }
  return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
}
function readAlert(body) {
  try {
    return parseViolationAlert(body);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    return error;
  }
}
async function sayAll(notices, reporter, retry) {
  for (const { effects, onFailure } of notices) {
    if (!onFailure) {
      await perform(effects, reporter);
    } else if (!await reportSent(() => perform(effects, reporter), onFailure.fields)) {
      onFailure.messageIds.forEach((id) => retry.add(id));
    }
  }
}
async function mitigate(violationIds, batch, config, reporter, retry, splitFrom) {
  let step = decideTask(violationIds, batch, config, void 0, splitFrom);
  if (step.kind === "start") {
    const { request } = step;
    step = decideTask(violationIds, batch, config, await answerOf(() => startDetectMitigationTask(iot, request)), splitFrom);
  }
  switch (step.kind) {
    case "start":
      throw new Error(`internal error: task ${step.request.taskId} asked to start twice`);
    case "notify":
      return sayAll([step.notice], reporter, retry);
    case "retry":
      await perform(step.effects, reporter);
      step.messageIds.forEach((id) => retry.add(id));
      return;
    case "split":
      await perform(step.effects, reporter);
      for (const part of step.parts) {
        await mitigate(part, batch, config, reporter, retry, step.splitFrom);
      }
      return;
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
