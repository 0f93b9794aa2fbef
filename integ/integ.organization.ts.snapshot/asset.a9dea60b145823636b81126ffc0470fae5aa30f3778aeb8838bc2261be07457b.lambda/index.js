"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
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
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/handlers/mitigation-hub.lambda.ts
var mitigation_hub_lambda_exports = {};
__export(mitigation_hub_lambda_exports, {
  RECONCILE_CONCURRENCY: () => RECONCILE_CONCURRENCY,
  handler: () => handler
});
module.exports = __toCommonJS(mitigation_hub_lambda_exports);
var import_client_dynamodb3 = require("@aws-sdk/client-dynamodb");
var import_client_sns = require("@aws-sdk/client-sns");
var import_client_sts2 = require("@aws-sdk/client-sts");

// src/contract/environment.ts
var HUB_ENV = {
  /** The registry of confirmed spokes (DynamoDB, partition key `HUB_REGISTRY.PARTITION_KEY`). */
  REGISTRY_TABLE: "MITIGATION_HUB_REGISTRY_TABLE",
  /** The ledger of the tasks the hub started in its spokes (DynamoDB, `HUB_TASK_LEDGER`). */
  TASK_LEDGER_TABLE: "MITIGATION_HUB_TASK_LEDGER_TABLE",
  /** The accounts whose spokes the hub serves, a JSON array of account ids; absent with an organization. */
  ACCOUNTS: "MITIGATION_HUB_ACCOUNTS",
  /** The organization whose spokes the hub serves; absent with an account list. */
  ORGANIZATION_ID: "MITIGATION_HUB_ORGANIZATION_ID",
  /** The base name of the spokes' roles: each spoke's is `<base>-<region>`. */
  SPOKE_ROLE_NAME: "MITIGATION_HUB_SPOKE_ROLE_NAME",
  REPORT_TOPIC_ARN: "MITIGATION_HUB_REPORT_TOPIC_ARN",
  /** The hub construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  MITIGATION: "MITIGATION_HUB_NAME",
  /** The ARN of the event bus the hub puts its events on; absent = the account's default bus. */
  EVENT_BUS: "MITIGATION_HUB_EVENT_BUS",
  /** How far back the reconciler looks in each spoke, in hours (also the notification path's age bound). */
  RECONCILE_LOOKBACK_HOURS: "MITIGATION_HUB_RECONCILE_LOOKBACK_HOURS",
  /** 'true': the follower updates the spokes' Security Hub findings of the tasks it reports. */
  SECURITY_HUB: "MITIGATION_HUB_SECURITY_HUB",
  /** 'true': the audit function turns on Device Defender's Security Hub integration in each registered spoke. */
  SECURITY_HUB_INTEGRATION: "MITIGATION_HUB_SECURITY_HUB_INTEGRATION"
};

// src/contract/limits.ts
var TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
var AUDIT_TASK_ID_PATTERN = /^[a-zA-Z0-9-]{1,40}$/;

// src/contract/organization.ts
function spokeRoleNameIn(baseName, region) {
  return `${baseName}-${region}`;
}
var SPOKE_CONFIG_PARAMETER = "/cdk-device-defender/spoke";
var SPOKE_CONFIG_VERSION = 1;
function spokeKey(account, region) {
  return `${account}/${region}`;
}
var HUB_REGISTRY = { PARTITION_KEY: "spoke" };
var HUB_TASK_LEDGER = {
  PARTITION_KEY: "task",
  TTL_ATTRIBUTE: "expiresAt",
  ACTIVE_INDEX: "active",
  ACTIVE_ATTRIBUTE: "activeIn"
};
function hubTaskKey(account, region, taskId) {
  return `${spokeKey(account, region)}/${taskId}`;
}
var ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
var ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
var MAX_REGION_NAME_LENGTH = 15;
var MAX_SPOKE_ROLE_BASE_NAME_LENGTH = 64 - 1 - MAX_REGION_NAME_LENGTH;
var SPOKE_ROLE_BASE_NAME_PATTERN = new RegExp(`^[\\w+=,.@-]{1,${MAX_SPOKE_ROLE_BASE_NAME_LENGTH}}$`);

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

// src/handlers/mitigation-hub/config.ts
function readHubConfig(env) {
  const accountsText = env[HUB_ENV.ACCOUNTS] || void 0;
  const organizationId = env[HUB_ENV.ORGANIZATION_ID] || void 0;
  if (accountsText === void 0 === (organizationId === void 0)) {
    throw new ConfigError(`exactly one of ${HUB_ENV.ACCOUNTS} and ${HUB_ENV.ORGANIZATION_ID} must be set`);
  }
  let accounts;
  if (accountsText !== void 0) {
    const list = json(HUB_ENV.ACCOUNTS, accountsText);
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string" && ACCOUNT_ID_PATTERN.test(a))) {
      throw new ConfigError(`${HUB_ENV.ACCOUNTS} must be a JSON array of 12-digit account ids, got ${accountsText}`);
    }
    accounts = list;
  }
  if (organizationId !== void 0 && !ORGANIZATION_ID_PATTERN.test(organizationId)) {
    throw new ConfigError(`${HUB_ENV.ORGANIZATION_ID} must be an organization id (o-...), got ${organizationId}`);
  }
  return {
    registryTable: required(env, HUB_ENV.REGISTRY_TABLE),
    taskLedgerTable: required(env, HUB_ENV.TASK_LEDGER_TABLE),
    accounts,
    organizationId,
    spokeRoleName: required(env, HUB_ENV.SPOKE_ROLE_NAME),
    reportTopicArn: env[HUB_ENV.REPORT_TOPIC_ARN] || void 0,
    eventBus: env[HUB_ENV.EVENT_BUS] || void 0,
    mitigation: required(env, HUB_ENV.MITIGATION),
    reconcileLookbackHours: positiveInteger(env, HUB_ENV.RECONCILE_LOOKBACK_HOURS),
    securityHubIntegration: env[HUB_ENV.SECURITY_HUB_INTEGRATION] === "true"
  };
}
var SpokeConfigError = class extends ConfigError {
  constructor(spoke, problem) {
    super(`the configuration of spoke ${spokeKey(spoke.account, spoke.region)} (SSM parameter ${SPOKE_CONFIG_PARAMETER}) ${problem}`);
  }
};
var isStringList = (value) => Array.isArray(value) && value.every((v) => typeof v === "string" && v.length > 0);
function readSpokeConfig(document, spoke, hub) {
  let parsed;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new SpokeConfigError(spoke, "is not JSON");
  }
  if (!isObject(parsed)) {
    throw new SpokeConfigError(spoke, "is not a JSON object");
  }
  const doc = parsed;
  const bad = (field, what) => new SpokeConfigError(spoke, `has ${field} ${JSON.stringify(doc[field])}: ${what}`);
  if (doc.version !== SPOKE_CONFIG_VERSION) {
    throw bad("version", `this hub reads version ${SPOKE_CONFIG_VERSION} (deploy the spoke and the hub with the same library version)`);
  }
  if (!isObject(doc.rules) || Object.keys(doc.rules).length === 0 || !Object.values(doc.rules).every((a) => isStringList(a) && a.length > 0)) {
    throw bad("rules", "must map each audit check to one or more action names");
  }
  if (doc.scheduledAudits !== void 0 && !isStringList(doc.scheduledAudits)) {
    throw bad("scheduledAudits", "must be a list of names");
  }
  if (typeof doc.includeOnDemandAudits !== "boolean") {
    throw bad("includeOnDemandAudits", "must be true or false");
  }
  if (typeof doc.dryRun !== "boolean") {
    throw bad("dryRun", "must be true or false");
  }
  if (typeof doc.maxFindingsPerCheck !== "number" || !Number.isInteger(doc.maxFindingsPerCheck) || doc.maxFindingsPerCheck < 1) {
    throw bad("maxFindingsPerCheck", "must be a whole number of at least 1");
  }
  if (typeof doc.taskIdPrefix !== "string" || !TASK_ID_PATTERN.test(doc.taskIdPrefix) || doc.taskIdPrefix.length > 64) {
    throw bad("taskIdPrefix", "must be 1 to 64 letters, digits, - or _");
  }
  return {
    accountId: spoke.account,
    rules: doc.rules,
    scheduledAudits: doc.scheduledAudits,
    includeOnDemandAudits: doc.includeOnDemandAudits,
    dryRun: doc.dryRun,
    maxFindingsPerCheck: doc.maxFindingsPerCheck,
    taskIdPrefix: doc.taskIdPrefix,
    mitigation: hub.mitigation,
    reconcileLookbackHours: hub.reconcileLookbackHours,
    maxAuditAgeHours: hub.reconcileLookbackHours
  };
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

// src/handlers/shared/security-hub-integration.ts
var import_client_iot = require("@aws-sdk/client-iot");

// src/contract/security-hub.ts
var DEVICE_DEFENDER_PRODUCTS = ["audit", "detect"];
function deviceDefenderProductArn(partition, region, product) {
  return `arn:${partition}:securityhub:${region}::product/aws/iot-device-defender-${product}`;
}

// src/handlers/shared/security-hub-integration.ts
var SecurityHubNotEnabledError = class extends PermanentError {
  constructor(place, cause) {
    super("SecurityHubNotEnabled", `AWS Security Hub is not enabled in account ${place.account}, region ${place.region} (${errorName(cause)}: ${errorMessage(cause)}), so AWS IoT Device Defender's Security Hub integration cannot be turned on there: enable Security Hub in that account and region, or turn off securityHub.enableIntegration`);
  }
};
function productsOn(subscriptionArns) {
  return new Set(DEVICE_DEFENDER_PRODUCTS.filter((product) => subscriptionArns.some((arn) => arn.endsWith(`:product-subscription/aws/iot-device-defender-${product}`))));
}
async function turnOnDeviceDefenderIntegration(clients, place, abortSignal) {
  const sdk = require("@aws-sdk/client-securityhub");
  const { EnableImportFindingsForProductCommand, ListEnabledProductsForImportCommand } = sdk;
  const securityHub = async (call) => {
    try {
      return await call();
    } catch (error) {
      throw errorName(error) === "InvalidAccessException" ? new SecurityHubNotEnabledError(place, error) : error;
    }
  };
  const subscriptions = [];
  let nextToken;
  do {
    const request = new ListEnabledProductsForImportCommand({ NextToken: nextToken });
    const page = await securityHub(() => clients.securityHub.send(request, { abortSignal }));
    subscriptions.push(...page.ProductSubscriptions ?? []);
    nextToken = page.NextToken;
  } while (nextToken);
  const on = productsOn(subscriptions);
  const result = { turnedOn: [], alreadyOn: [], leftOff: [] };
  for (const product of DEVICE_DEFENDER_PRODUCTS) {
    if (on.has(product)) {
      result.alreadyOn.push(product);
    } else if (product === "detect" && !await hasSecurityProfile(clients.iot, abortSignal)) {
      result.leftOff.push(product);
    } else {
      const ProductArn = deviceDefenderProductArn(place.partition, place.region, product);
      const outcome = await securityHub(async () => {
        try {
          await clients.securityHub.send(new EnableImportFindingsForProductCommand({ ProductArn }), { abortSignal });
          return "turned-on";
        } catch (error) {
          if (errorName(error) === "ResourceConflictException") {
            return "already-on";
          }
          throw error;
        }
      });
      (outcome === "turned-on" ? result.turnedOn : result.alreadyOn).push(product);
    }
  }
  return result;
}
async function hasSecurityProfile(iot, abortSignal) {
  let nextToken;
  do {
    const page = await iot.send(new import_client_iot.ListSecurityProfilesCommand({ maxResults: 1, nextToken }), { abortSignal });
    if ((page.securityProfileIdentifiers ?? []).length > 0) {
      return true;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}

// src/handlers/mitigation-hub/decide.ts
var TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):([A-Za-z0-9_-]{1,256})$/;
var WHAT = "SNS message";
function spokeOfTopic(topicArn) {
  const match = TOPIC_ARN.exec(topicArn);
  return match ? { partition: match[1], region: match[2], account: match[3], topicArn } : void 0;
}
function parseEnvelope(body) {
  const doc = parseJsonObject(body, WHAT);
  const text = (name) => {
    const value = doc[name];
    if (typeof value !== "string" || value === "") {
      throw new MalformedMessageError(WHAT, `${name} must be a non-empty string`);
    }
    return value;
  };
  const type = text("Type");
  const topicArn = text("TopicArn");
  if (!spokeOfTopic(topicArn)) {
    throw new MalformedMessageError(WHAT, `TopicArn ${JSON.stringify(topicArn)} is not an SNS topic ARN`);
  }
  if (type === "SubscriptionConfirmation") {
    return { type, topicArn, token: text("Token") };
  }
  if (type === "Notification") {
    return { type, topicArn, message: text("Message") };
  }
  throw new MalformedMessageError(WHAT, `Type ${JSON.stringify(type)} is neither SubscriptionConfirmation nor Notification`);
}
var UnregisteredSpokeError = class extends PermanentError {
  constructor(message) {
    super("UnregisteredSpokeError", message);
  }
};
function parseHubInvocation(event) {
  const e = isObject(event) ? event : {};
  if (Array.isArray(e.Records)) {
    return {
      kind: "records",
      records: e.Records.map((r) => ({ messageId: String(r.messageId ?? ""), body: String(r.body ?? "") }))
    };
  }
  if (e.source === "aws.events") {
    return { kind: "reconcile" };
  }
  return { kind: "unknown", received: JSON.stringify(event ?? null).slice(0, 2e3) };
}
function isAllowed(account, hub) {
  return hub.accounts ? hub.accounts.includes(account) : true;
}
function notAllowed(spoke, hub) {
  return `account ${spoke.account} is not one of the hub's accounts (${(hub.accounts ?? []).join(", ")})`;
}
function decideRecord(record, envelope, hub) {
  if (envelope instanceof MalformedMessageError) {
    return { kind: "done", effects: [permanentFailure("malformed-message", envelope, { messageId: record.messageId, received: record.body.slice(0, 2e3) })] };
  }
  const spoke = spokeOfTopic(envelope.topicArn);
  if (!isAllowed(spoke.account, hub)) {
    const confirming = envelope.type === "SubscriptionConfirmation";
    const error = new UnregisteredSpokeError(`${notAllowed(spoke, hub)}: ${confirming ? "its subscription is not confirmed" : "nothing is started"}`);
    return {
      kind: "done",
      spoke,
      effects: [permanentFailure(confirming ? "spoke-not-allowed" : "unregistered-spoke", error, { messageId: record.messageId, topicArn: spoke.topicArn })]
    };
  }
  return envelope.type === "SubscriptionConfirmation" ? { kind: "confirm", spoke, token: envelope.token } : { kind: "notification", spoke, message: envelope.message };
}
function registration(spoke, subscriptionArn, now) {
  return {
    spoke: spokeKey(spoke.account, spoke.region),
    account: spoke.account,
    region: spoke.region,
    topicArn: spoke.topicArn,
    subscriptionArn,
    confirmedAt: now.toISOString()
  };
}
function decideRegistered(entry) {
  return [report("INFO", "spoke-registered", { topicArn: entry.topicArn, subscriptionArn: entry.subscriptionArn })];
}
function decideRegistration(spoke, entry, messageId) {
  if (entry && entry.topicArn === spoke.topicArn) {
    return void 0;
  }
  const reason = entry ? `spoke ${entry.spoke} is registered with topic ${entry.topicArn}, not ${spoke.topicArn}` : `spoke ${spokeKey(spoke.account, spoke.region)} is not registered (its topic's subscription to the hub's queue was never confirmed)`;
  return [permanentFailure("unregistered-spoke", new UnregisteredSpokeError(`${reason}: nothing is started`), { messageId, topicArn: spoke.topicArn })];
}
var FAILURE_KINDS = {
  "confirm-subscription": "subscription-not-confirmed",
  "register": "registry-failed",
  "assume-role": "spoke-role-refused",
  "read-configuration": "spoke-config-error",
  "read-registry": "registry-failed",
  "record-task": "task-not-followed"
};
function tasksToFollow(outcomes) {
  const followed = /* @__PURE__ */ new Set(["started", "already-exists", "already-mitigated"]);
  return [...new Set(outcomes.flatMap((o) => followed.has(o.decision) && o.taskId ? [o.taskId] : []))];
}
function decideStageFailure(stage, failure, fields) {
  const { error } = failure;
  if (failure.errorClass !== "permanent") {
    return { kind: "retry", effects: [logLine("WARN", "retrying", { ...fields, stage, error: errorName(error), message: errorMessage(error) })] };
  }
  return { kind: "done", effects: [permanentFailure(FAILURE_KINDS[stage], error, { ...fields, stage })] };
}
function decideUnknownHubEvent(received) {
  return [permanentFailure("unknown-event", new MalformedMessageError("event", "neither SQS records nor a scheduled event"), { received })];
}
var IntegrationNotAllowedError = class extends PermanentError {
  constructor(spoke, roleArn, cause) {
    super("SecurityHubIntegrationNotAllowed", `the spoke role ${roleArn} may not turn on AWS IoT Device Defender's Security Hub integration in account ${spoke.account}, region ${spoke.region} (${errorName(cause)}: ${errorMessage(cause)}): give that account's MitigationSpoke securityHub: { enableIntegration: true } (its role may then), or turn off the MitigationHub's securityHub.enableIntegration`);
  }
};
var ACCESS_DENIED = /* @__PURE__ */ new Set(["AccessDeniedException", "AccessDenied"]);
function integrationDue(hub, entry) {
  return hub.securityHubIntegration && entry.securityHubIntegration !== "on";
}
function decideIntegration(entry, answer, roleArn) {
  const where = { spoke: entry.spoke };
  if ("value" in answer) {
    const { turnedOn, alreadyOn, leftOff } = answer.value;
    const on = { ...entry, securityHubIntegration: "on", securityHubRefusal: void 0 };
    return {
      effects: [logLine(
        "INFO",
        turnedOn.length > 0 ? "security-hub-integration-turned-on" : "security-hub-integration-already-on",
        { ...where, turnedOn, alreadyOn, leftOff }
      )],
      entry: on
    };
  }
  if (answer.errorClass !== "permanent") {
    return {
      effects: [logLine("WARN", "security-hub-integration-deferred", {
        ...where,
        error: errorName(answer.error),
        message: errorMessage(answer.error),
        reason: "the next reconciler run tries again"
      })]
    };
  }
  const denied = ACCESS_DENIED.has(errorName(answer.error));
  const kind = answer.error instanceof SecurityHubNotEnabledError ? "security-hub-not-enabled" : denied ? "security-hub-integration-refused" : "security-hub-integration-failed";
  if (entry.securityHubIntegration === "refused" && entry.securityHubRefusal === kind) {
    return { effects: [logLine("INFO", "security-hub-integration-still-refused", { ...where, kind, reason: "reported before; tried again each reconciler run" })] };
  }
  const error = denied ? new IntegrationNotAllowedError(entry, roleArn, answer.error) : answer.error;
  return {
    effects: [permanentFailure(kind, error, { ...where, stage: "security-hub-integration" })],
    entry: { ...entry, securityHubIntegration: "refused", securityHubRefusal: kind }
  };
}

// src/handlers/mitigation-hub/registry.ts
var import_client_dynamodb = require("@aws-sdk/client-dynamodb");
var FIELDS = ["account", "region", "topicArn", "subscriptionArn", "confirmedAt"];
var OPTIONAL_FIELDS = ["securityHubIntegration", "securityHubRefusal"];
function entryOf(item) {
  const spoke = item?.[HUB_REGISTRY.PARTITION_KEY]?.S;
  if (!item || !spoke || FIELDS.some((f) => typeof item[f]?.S !== "string")) {
    return void 0;
  }
  const integration = item.securityHubIntegration?.S;
  return {
    spoke,
    account: item.account.S,
    region: item.region.S,
    topicArn: item.topicArn.S,
    subscriptionArn: item.subscriptionArn.S,
    confirmedAt: item.confirmedAt.S,
    ...integration === "on" || integration === "refused" ? { securityHubIntegration: integration } : {},
    ...item.securityHubRefusal?.S ? { securityHubRefusal: item.securityHubRefusal.S } : {}
  };
}
function itemOf(entry) {
  const item = { [HUB_REGISTRY.PARTITION_KEY]: { S: entry.spoke } };
  for (const field of FIELDS) {
    item[field] = { S: entry[field] };
  }
  for (const field of OPTIONAL_FIELDS) {
    const value = entry[field];
    if (value !== void 0) {
      item[field] = { S: value };
    }
  }
  return item;
}
var Registry = class {
  constructor(dynamodb2, tableName) {
    this.dynamodb = dynamodb2;
    this.tableName = tableName;
  }
  /** The spoke's entry, or undefined when it is not registered. Strongly consistent: a confirmation just written counts. */
  async get(key) {
    const output = await this.dynamodb.send(new import_client_dynamodb.GetItemCommand({
      TableName: this.tableName,
      Key: { [HUB_REGISTRY.PARTITION_KEY]: { S: key } },
      ConsistentRead: true
    }));
    return entryOf(output.Item);
  }
  /** Registers a spoke (a spoke confirmed again, with a new topic, replaces its entry). */
  async put(entry) {
    await this.dynamodb.send(new import_client_dynamodb.PutItemCommand({ TableName: this.tableName, Item: itemOf(entry) }));
  }
  /**
   * Writes `entry` (what the hub found of its Security Hub integration) over the spoke's entry, only
   * while that is still the same registration (same subscription): a spoke registered again
   * meanwhile keeps its new entry. Answers whether it was written. (A conditional PutItem: the
   * hub's role needs no other action on the registry.)
   */
  async update(entry) {
    try {
      await this.dynamodb.send(new import_client_dynamodb.PutItemCommand({
        TableName: this.tableName,
        Item: itemOf(entry),
        ConditionExpression: "subscriptionArn = :subscription",
        ExpressionAttributeValues: { ":subscription": { S: entry.subscriptionArn } }
      }));
      return true;
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") {
        return false;
      }
      throw error;
    }
  }
  /** Every registered spoke (items that are not entries, if any, are left out). */
  async all() {
    const entries = [];
    for await (const page of (0, import_client_dynamodb.paginateScan)({ client: this.dynamodb, pageSize: 500 }, { TableName: this.tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        const entry = entryOf(item);
        if (entry) {
          entries.push(entry);
        }
      }
    }
    return entries;
  }
};

// src/handlers/shared/audit-engine.ts
var import_client_iot3 = require("@aws-sdk/client-iot");

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

// src/handlers/shared/audit-decide.ts
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

// src/handlers/shared/audit-summary.ts
var WHAT2 = "audit notification";
function optionalString(body, name) {
  const value = body[name];
  if (value === void 0 || value === null) {
    return void 0;
  }
  if (typeof value !== "string") {
    throw new MalformedMessageError(WHAT2, `${name} must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}
function parseAuditNotification(message) {
  const body = parseJsonObject(message, WHAT2);
  const taskId = optionalString(body, "taskId");
  if (taskId === void 0) {
    throw new MalformedMessageError(WHAT2, "missing taskId");
  }
  if (!AUDIT_TASK_ID_PATTERN.test(taskId)) {
    throw new MalformedMessageError(WHAT2, `taskId ${JSON.stringify(taskId)} is not an audit task id`);
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
var import_client_iot2 = require("@aws-sdk/client-iot");
function createIotClient(limits, spoke) {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits ? new import_client_iot2.IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } }) : new import_client_iot2.IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}
async function startAuditMitigationTask(iot, request) {
  return startOnce(
    () => iot.send(new import_client_iot2.StartAuditMitigationActionsTaskCommand({
      taskId: request.taskId,
      clientRequestToken: request.clientRequestToken,
      target: request.target,
      auditCheckToActionsMapping: request.auditCheckToActionsMapping
    })),
    () => iot.send(new import_client_iot2.DescribeAuditMitigationActionsTaskCommand({ taskId: request.taskId }))
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
async function describeAudit(iot, auditTaskId) {
  return summaryFromDescribe(auditTaskId, await iot.send(new import_client_iot2.DescribeAuditTaskCommand({ taskId: auditTaskId })));
}
async function auditMitigationTaskExists(iot, taskId) {
  return found(() => iot.send(new import_client_iot2.DescribeAuditMitigationActionsTaskCommand({ taskId })));
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
  const { iot, config, reporter } = context;
  let facts = start;
  for (; ; ) {
    const step = decideAudit(facts, config, now);
    switch (step.kind) {
      case "check-task":
        facts = { ...facts, taskExists: await auditMitigationTaskExists(iot, step.taskId) };
        break;
      case "describe":
        facts = { ...facts, audit: await answerOf(() => describeAudit(iot, start.auditTaskId)) };
        break;
      case "start":
        facts = { ...facts, started: await answerOf(() => startAuditMitigationTask(iot, step.request)) };
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
    const pages = (0, import_client_iot3.paginateListAuditTasks)(
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

// src/handlers/shared/hub-ledger.ts
var import_client_dynamodb2 = require("@aws-sdk/client-dynamodb");

// src/handlers/shared/follow-decide.ts
var FINDINGS_ARRIVAL_MS = 75 * 6e4;

// src/handlers/shared/task-follow.ts
var CLAIM_STALE_MS = 5 * 60 * 1e3;
var LEDGER_RETENTION_SECONDS = 30 * 24 * 3600;
function expiresAt(now, retentionSeconds = LEDGER_RETENTION_SECONDS) {
  return Math.floor(now.getTime() / 1e3) + retentionSeconds;
}

// src/handlers/shared/hub-ledger.ts
var RETENTION_SECONDS = 91 * 24 * 3600;
var A = {
  PARTITION: "partition",
  ACCOUNT: "account",
  REGION: "region",
  TASK_ID: "taskId",
  MITIGATION: "mitigation",
  STATE: "state",
  RECORDED_AT: "recordedAt",
  CLAIM_ID: "claimId",
  CLAIMED_AT: "claimedAt",
  REPORTED_AT: "reportedAt",
  FAILED: "failed",
  FINDINGS_RETRY_AT: "findingsRetryAt"
};
var S = (value) => ({ S: value });
var N = (value) => ({ N: String(value) });
var state = (value) => S(value);
async function conditionHeld(call) {
  try {
    await call();
    return true;
  } catch (error) {
    if (errorName(error) === "ConditionalCheckFailedException") {
      return false;
    }
    throw error;
  }
}
function activeTaskOf(item) {
  const [key, partition, account, region, taskId, mitigation] = [HUB_TASK_LEDGER.PARTITION_KEY, A.PARTITION, A.ACCOUNT, A.REGION, A.TASK_ID, A.MITIGATION].map((name) => item[name]?.S);
  if (!key || !partition || !account || !region || !taskId || !mitigation) {
    return void 0;
  }
  const retryAt = item[A.STATE]?.S === "reported" ? item[A.FINDINGS_RETRY_AT]?.N : void 0;
  return { key, partition, account, region, taskId, mitigation, ...retryAt ? { findingsRetryAt: Number(retryAt) } : {} };
}
var HubLedger = class {
  constructor(dynamodb2, tableName) {
    this.dynamodb = dynamodb2;
    this.tableName = tableName;
  }
  /**
   * Records a task the hub started in a spoke, unless it is recorded already (active, being
   * reported or reported: then nothing changes). Answers whether this call recorded it.
   */
  async record(task, now) {
    return conditionHeld(() => this.dynamodb.send(new import_client_dynamodb2.PutItemCommand({
      TableName: this.tableName,
      Item: {
        [HUB_TASK_LEDGER.PARTITION_KEY]: S(hubTaskKey(task.account, task.region, task.taskId)),
        [A.PARTITION]: S(task.partition),
        [A.ACCOUNT]: S(task.account),
        [A.REGION]: S(task.region),
        [A.TASK_ID]: S(task.taskId),
        [A.MITIGATION]: S(task.mitigation),
        [A.STATE]: state("active"),
        [HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE]: S(spokeKey(task.account, task.region)),
        [A.RECORDED_AT]: N(now.getTime()),
        [HUB_TASK_LEDGER.TTL_ATTRIBUTE]: N(expiresAt(now, RETENTION_SECONDS))
      },
      ConditionExpression: "attribute_not_exists(#key)",
      ExpressionAttributeNames: { "#key": HUB_TASK_LEDGER.PARTITION_KEY }
    })));
  }
  /**
   * Every task not reported yet (those being reported too: their claim may be stale), from the
   * sparse index. Eventually consistent, as every read of an index: an entry recorded a moment ago
   * shows in a later run, and one reported a moment ago may still show (its claim then fails).
   */
  async active() {
    const tasks = [];
    for await (const page of (0, import_client_dynamodb2.paginateScan)({ client: this.dynamodb, pageSize: 500 }, { TableName: this.tableName, IndexName: HUB_TASK_LEDGER.ACTIVE_INDEX })) {
      for (const item of page.Items ?? []) {
        const task = activeTaskOf(item);
        if (task) {
          tasks.push(task);
        }
      }
    }
    return tasks;
  }
  /**
   * Claims the entry `key` for this run: succeeds when it is active, or claimed longer ago than
   * `staleMs` (that run is over). Undefined when another run holds it or reported it, or it is gone.
   */
  async claim(key, claimId, now, staleMs) {
    const claimed = await conditionHeld(() => this.dynamodb.send(new import_client_dynamodb2.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [HUB_TASK_LEDGER.PARTITION_KEY]: S(key) },
      UpdateExpression: "SET #state = :claimed, #claimId = :claimId, #claimedAt = :now",
      ConditionExpression: "#state = :active OR (#state = :claimed AND #claimedAt < :stale)",
      ExpressionAttributeNames: { "#state": A.STATE, "#claimId": A.CLAIM_ID, "#claimedAt": A.CLAIMED_AT },
      ExpressionAttributeValues: {
        ":claimed": state("claimed"),
        ":active": state("active"),
        ":claimId": S(claimId),
        ":now": N(now.getTime()),
        ":stale": N(now.getTime() - staleMs)
      }
    })));
    return claimed ? { taskId: key, claimId } : void 0;
  }
  /** Gives a claim up (nothing was reported): the entry is active again. No-op if the claim is no longer ours. */
  async release(claim) {
    await conditionHeld(() => this.dynamodb.send(new import_client_dynamodb2.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [HUB_TASK_LEDGER.PARTITION_KEY]: S(claim.taskId) },
      UpdateExpression: "SET #state = :active REMOVE #claimId, #claimedAt",
      ConditionExpression: "#state = :claimed AND #claimId = :claimId",
      ExpressionAttributeNames: { "#state": A.STATE, "#claimId": A.CLAIM_ID, "#claimedAt": A.CLAIMED_AT },
      ExpressionAttributeValues: { ":active": state("active"), ":claimed": state("claimed"), ":claimId": S(claim.claimId) }
    })));
  }
  /**
   * Records that the task was reported (see `ReportedOptions`), which takes it out of the index,
   * unless its Security Hub findings are to be looked at again (`findingsRetryAt`): then it stays
   * there, reported, until `findingsDone`.
   */
  async markReported(claim, now, options = {}) {
    const retry = options.findingsRetryAt !== void 0;
    await this.dynamodb.send(new import_client_dynamodb2.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [HUB_TASK_LEDGER.PARTITION_KEY]: S(claim.taskId) },
      UpdateExpression: `SET #state = :reported, #reportedAt = :now, #expiresAt = :expiresAt, #failed = :failed${retry ? ", #retryAt = :retryAt" : " REMOVE #active"}`,
      ExpressionAttributeNames: {
        "#state": A.STATE,
        "#reportedAt": A.REPORTED_AT,
        "#expiresAt": HUB_TASK_LEDGER.TTL_ATTRIBUTE,
        "#failed": A.FAILED,
        ...retry ? { "#retryAt": A.FINDINGS_RETRY_AT } : { "#active": HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE }
      },
      ExpressionAttributeValues: {
        ":reported": state("reported"),
        ":now": N(now.getTime()),
        ":expiresAt": N(expiresAt(now, RETENTION_SECONDS)),
        ":failed": { BOOL: options.failed ?? false },
        ...retry ? { ":retryAt": N(options.findingsRetryAt) } : {}
      }
    }));
  }
  /** Records that a reported task's Security Hub findings need no other look, which takes it out of the index. */
  async findingsDone(key) {
    await this.dynamodb.send(new import_client_dynamodb2.UpdateItemCommand({
      TableName: this.tableName,
      Key: { [HUB_TASK_LEDGER.PARTITION_KEY]: S(key) },
      UpdateExpression: "REMOVE #active, #retryAt",
      ExpressionAttributeNames: { "#active": HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE, "#retryAt": A.FINDINGS_RETRY_AT }
    }));
  }
};

// src/handlers/shared/spokes.ts
var http = __toESM(require("http"));
var https = __toESM(require("https"));
var import_client_ssm = require("@aws-sdk/client-ssm");
var import_client_sts = require("@aws-sdk/client-sts");
var REFRESH_MARGIN_MS = 5 * 6e4;
var SESSION_NAME = "cdk-device-defender-hub";
var STALE_CREDENTIALS = /* @__PURE__ */ new Set(["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"]);
var MAX_SOCKETS = 64;
var AGENT_OPTIONS = { keepAlive: true, maxTotalSockets: MAX_SOCKETS, maxFreeSockets: 16 };
var SHARED_CONNECTIONS = { httpAgent: new http.Agent(AGENT_OPTIONS), httpsAgent: new https.Agent(AGENT_OPTIONS) };
var SpokeSessions = class {
  constructor(sts2, spokeRoleName) {
    this.sts = sts2;
    this.spokeRoleName = spokeRoleName;
  }
  sessions = /* @__PURE__ */ new Map();
  /** The role the hub assumes in `spoke`. */
  roleArn(spoke) {
    return `arn:${spoke.partition}:iam::${spoke.account}:role/${spokeRoleNameIn(this.spokeRoleName, spoke.region)}`;
  }
  /** A session in `spoke`: the cached one while its credentials last (`REFRESH_MARGIN_MS`), else a new AssumeRole. */
  async session(spoke, now) {
    const key = spokeKey(spoke.account, spoke.region);
    const cached = this.sessions.get(key);
    if (cached && now < cached.expiration - REFRESH_MARGIN_MS) {
      return cached;
    }
    this.drop(key);
    const output = await this.sts.send(new import_client_sts.AssumeRoleCommand({ RoleArn: this.roleArn(spoke), RoleSessionName: SESSION_NAME }));
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
      throw new Error(`AssumeRole of ${this.roleArn(spoke)} answered no credentials`);
    }
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration
    };
    let securityHub;
    const session = {
      iot: createIotClient(void 0, { region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS }),
      ssm: new import_client_ssm.SSMClient({ region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS }),
      get securityHub() {
        const sdk = require("@aws-sdk/client-securityhub");
        securityHub ??= new sdk.SecurityHubClient({ region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS });
        return securityHub;
      },
      expiration: c.Expiration.getTime()
    };
    this.sessions.set(key, session);
    return session;
  }
  /** Forgets the spoke's session when `error` says its credentials are no good (expired early, revoked); answers whether it did. */
  forgetIfStale(spoke, error) {
    if (!STALE_CREDENTIALS.has(errorName(error))) {
      return false;
    }
    this.drop(spokeKey(spoke.account, spoke.region));
    return true;
  }
  drop(key) {
    const session = this.sessions.get(key);
    if (!session) {
      return;
    }
    this.sessions.delete(key);
  }
};
async function readSpokeDocument(session) {
  const output = await session.ssm.send(new import_client_ssm.GetParameterCommand({ Name: SPOKE_CONFIG_PARAMETER }));
  const value = output.Parameter?.Value;
  if (value === void 0) {
    throw new ConfigError(`GetParameter ${SPOKE_CONFIG_PARAMETER} answered no value`);
  }
  return value;
}

// src/handlers/mitigation-hub.lambda.ts
var RECONCILE_CONCURRENCY = 8;
var TIMEOUT_MS = 5 * 6e4;
var RECONCILE_MARGIN_MS = 3e4;
var sts = new import_client_sts2.STSClient({});
var dynamodb = new import_client_dynamodb3.DynamoDBClient({});
var snsClients = /* @__PURE__ */ new Map();
var sessions;
function snsIn(region) {
  let client2 = snsClients.get(region);
  if (!client2) {
    client2 = new import_client_sns.SNSClient({ region });
    snsClients.set(region, client2);
  }
  return client2;
}
async function handler(event, context) {
  const hub = await openConfig(process.env, readHubConfig, HUB_ENV);
  const reporter = new Reporter(hub.reportTopicArn, hub.mitigation, hub.eventBus);
  sessions ??= new SpokeSessions(sts, hub.spokeRoleName);
  const registry = new Registry(dynamodb, hub.registryTable);
  const work = { hub, reporter, registry, ledger: new HubLedger(dynamodb, hub.taskLedgerTable), sessions, now: /* @__PURE__ */ new Date() };
  const invocation = parseHubInvocation(event);
  switch (invocation.kind) {
    case "records": {
      const retry = [];
      for (const record of invocation.records) {
        if (await onRecord(record, work) === "retry") {
          retry.push(record.messageId);
        }
      }
      return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    case "reconcile": {
      const began = Date.now();
      const remainingMs = context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : () => TIMEOUT_MS - (Date.now() - began);
      return reconcileAll(work, remainingMs);
    }
    case "unknown":
      await perform(decideUnknownHubEvent(invocation.received), reporter);
      return [];
  }
}
function readEnvelope(body) {
  try {
    return parseEnvelope(body);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    return error;
  }
}
async function onRecord(record, work) {
  const step = decideRecord(record, readEnvelope(record.body), work.hub);
  switch (step.kind) {
    case "done": {
      const reporter = step.spoke ? work.reporter.about(step.spoke) : work.reporter;
      return await reportSent(() => perform(step.effects, reporter), { messageId: record.messageId }) ? "done" : "retry";
    }
    case "confirm":
      return confirm(step.spoke, step.token, record, work);
    case "notification":
      return notify(step.spoke, step.message, record, work);
  }
}
async function runStep(stage, spoke, work, fields, call) {
  const answer = await answerOf(call);
  if ("value" in answer) {
    return answer;
  }
  const reporter = work.reporter.about(spoke);
  const stale = work.sessions.forgetIfStale(spoke, answer.error);
  const decision = decideStageFailure(stage, stale ? { ...answer, errorClass: "retryable" } : answer, fields);
  if (decision.kind === "retry") {
    await perform(decision.effects, reporter);
    return "retry";
  }
  return await reportSent(() => perform(decision.effects, reporter), fields) ? "done" : "retry";
}
async function confirm(spoke, token, record, work) {
  const fields = { messageId: record.messageId, topicArn: spoke.topicArn };
  const confirmed = await runStep("confirm-subscription", spoke, work, fields, async () => {
    const output = await snsIn(spoke.region).send(new import_client_sns.ConfirmSubscriptionCommand({ TopicArn: spoke.topicArn, Token: token }));
    if (!output.SubscriptionArn) {
      throw new Error("ConfirmSubscription answered no SubscriptionArn");
    }
    return output.SubscriptionArn;
  });
  if (typeof confirmed === "string") {
    return confirmed;
  }
  const entry = registration(spoke, confirmed.value, work.now);
  const registered = await runStep("register", spoke, work, fields, () => work.registry.put(entry));
  if (typeof registered === "string") {
    return registered;
  }
  const reported = await reportSent(() => perform(decideRegistered(entry), work.reporter.about(spoke)), fields);
  if (reported) {
    await turnOnIntegration(entry, spoke, work);
  }
  return reported ? "done" : "retry";
}
async function turnOnIntegration(entry, spoke, work) {
  if (!integrationDue(work.hub, entry)) {
    return;
  }
  const place = { partition: spoke.partition, account: spoke.account, region: spoke.region };
  try {
    const session = await work.sessions.session(spoke, work.now.getTime());
    const answer = await answerOf(() => turnOnDeviceDefenderIntegration({ securityHub: session.securityHub, iot: session.iot }, place));
    if (!("value" in answer)) {
      work.sessions.forgetIfStale(spoke, answer.error);
    }
    const step = decideIntegration(entry, answer, work.sessions.roleArn(spoke));
    await perform(step.effects, work.reporter.about(spoke));
    if (step.entry) {
      await work.registry.update(step.entry);
    }
  } catch (error) {
    log("WARN", "security-hub-integration-deferred", {
      spoke: entry.spoke,
      account: spoke.account,
      region: spoke.region,
      error: errorName(error),
      message: errorMessage(error),
      reason: "the next reconciler run tries again"
    });
  }
}
async function spokeContext(spoke, work, fields) {
  const session = await runStep("assume-role", spoke, work, fields, () => work.sessions.session(spoke, work.now.getTime()));
  if (typeof session === "string") {
    return session;
  }
  const config = await runStep(
    "read-configuration",
    spoke,
    work,
    fields,
    async () => readSpokeConfig(await readSpokeDocument(session.value), spoke, work.hub)
  );
  if (typeof config === "string") {
    return config;
  }
  return { account: spoke.account, region: spoke.region, iot: session.value.iot, config: config.value, reporter: work.reporter.about(spoke) };
}
async function notify(spoke, message, record, work) {
  const fields = { messageId: record.messageId, topicArn: spoke.topicArn };
  const entry = await runStep("read-registry", spoke, work, fields, () => work.registry.get(spokeKey(spoke.account, spoke.region)));
  if (typeof entry === "string") {
    return entry;
  }
  const unregistered = decideRegistration(spoke, entry.value, record.messageId);
  if (unregistered) {
    return await reportSent(() => perform(unregistered, work.reporter.about(spoke)), fields) ? "done" : "retry";
  }
  const context = await spokeContext(spoke, work, fields);
  if (typeof context === "string") {
    return context;
  }
  let outcome;
  try {
    outcome = await onNotification(message, context, work.now);
  } catch (error) {
    work.sessions.forgetIfStale(spoke, error);
    log("WARN", "record-retried", { ...fields, account: spoke.account, region: spoke.region, error: errorName(error), message: errorMessage(error) });
    return "retry";
  }
  return recordTasks(spoke, [outcome], work, fields);
}
async function recordTasks(spoke, outcomes, work, fields) {
  for (const taskId of tasksToFollow(outcomes)) {
    const task = { partition: spoke.partition, account: spoke.account, region: spoke.region, taskId, mitigation: work.hub.mitigation };
    const recorded = await runStep("record-task", spoke, work, { ...fields, taskId }, () => work.ledger.record(task, work.now));
    if (typeof recorded === "string") {
      return recorded;
    }
  }
  return "done";
}
async function reconcileAll(work, remainingMs) {
  const entries = (await work.registry.all()).filter((entry) => {
    if (isAllowed(entry.account, work.hub)) {
      return true;
    }
    log("WARN", "spoke-not-allowed", { spoke: entry.spoke, reason: "registered, but its account is no longer one of the hub's accounts: skipped" });
    return false;
  });
  const run = await runWithDeadline(
    entries,
    (entry) => reconcileSpoke(entry, work),
    { concurrency: RECONCILE_CONCURRENCY, remainingMs, marginMs: RECONCILE_MARGIN_MS }
  );
  const outcomes = run.settled.flatMap((s) => s.result ?? []);
  const left = [...run.unfinished, ...run.notStarted].map((entry) => entry.spoke);
  if (left.length > 0) {
    log("WARN", "reconcile-unfinished", { spokes: left, reason: "the function had to answer; the next run reconciles them" });
  }
  const failed = run.settled.find((s) => "error" in s && s.error !== void 0);
  if (failed) {
    throw failed.error;
  }
  return outcomes;
}
async function reconcileSpoke(entry, work) {
  const spoke = spokeOfTopic(entry.topicArn);
  if (!spoke) {
    throw new Error(`registry entry ${entry.spoke} has no valid topic ARN: ${entry.topicArn}`);
  }
  const fields = { spoke: entry.spoke, trigger: "reconciler" };
  const context = await spokeContext(spoke, work, fields);
  if (context === "retry") {
    throw new Error(`reconciling spoke ${entry.spoke}: to be retried`);
  }
  if (context === "done") {
    return [];
  }
  const outcomes = await reconcile(context, work.now, { account: spoke.account, region: spoke.region });
  if (await recordTasks(spoke, outcomes, work, fields) === "retry") {
    throw new Error(`recording the tasks of spoke ${entry.spoke}: to be retried`);
  }
  await turnOnIntegration(entry, spoke, work);
  return outcomes.map((o) => ({ ...o, account: spoke.account, region: spoke.region }));
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  RECONCILE_CONCURRENCY,
  handler
});
