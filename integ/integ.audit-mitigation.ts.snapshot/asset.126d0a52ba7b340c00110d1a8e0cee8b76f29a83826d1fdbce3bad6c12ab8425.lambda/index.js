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

// src/handlers/security-hub-integration.lambda.ts
var security_hub_integration_lambda_exports = {};
__export(security_hub_integration_lambda_exports, {
  REPORT_MARGIN_MS: () => REPORT_MARGIN_MS,
  SAFETY_MARGIN_MS: () => SAFETY_MARGIN_MS,
  handler: () => handler
});
module.exports = __toCommonJS(security_hub_integration_lambda_exports);
var import_client_securityhub = require("@aws-sdk/client-securityhub");

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

// src/handlers/security-hub-integration/decide.ts
var PATTERNS = {
  partition: { prop: SECURITY_HUB_INTEGRATION_PROPS.PARTITION, pattern: /^aws(-[a-z]+)*$/, allowed: "an AWS partition (aws, aws-cn, aws-us-gov, ...)" },
  account: { prop: SECURITY_HUB_INTEGRATION_PROPS.ACCOUNT, pattern: /^[0-9]{12}$/, allowed: "an AWS account id, 12 digits" },
  region: { prop: SECURITY_HUB_INTEGRATION_PROPS.REGION, pattern: /^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$/, allowed: "an AWS region (eu-west-1, ...)" }
};
function integrationPhysicalId(place) {
  return `security-hub-integration:${place.account}:${place.region}`;
}
function planIntegrationRequest(event) {
  if (event.RequestType === "Delete") {
    return { kind: "leave-on", physicalResourceId: event.PhysicalResourceId };
  }
  const properties = event.ResourceProperties;
  const read = (member) => {
    const { prop, pattern, allowed } = PATTERNS[member];
    const value = properties[prop];
    if (typeof value !== "string" || !pattern.test(value)) {
      throw new Error(`${event.LogicalResourceId}: invalid property ${prop} ${JSON.stringify(value)}: must be ${allowed}`);
    }
    return value;
  };
  return { kind: "turn-on", place: { partition: read("partition"), account: read("account"), region: read("region") } };
}
function decideTurnedOn(place, result) {
  return [logLine("INFO", result.turnedOn.length > 0 ? "security-hub-integration-turned-on" : "security-hub-integration-already-on", {
    account: place.account,
    region: place.region,
    turnedOn: result.turnedOn,
    alreadyOn: result.alreadyOn,
    leftOff: result.leftOff,
    ...result.leftOff.includes("detect") ? { detect: "left off: the account has no Device Defender Detect security profile in this region" } : {}
  })];
}
function decideLeftOn(physicalResourceId) {
  return [logLine("INFO", "security-hub-integration-left-on", {
    physicalResourceId,
    reason: "a Delete never turns the integration off: Device Defender keeps sending findings to Security Hub"
  })];
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

// src/handlers/shared/security-hub-integration.ts
var import_client_iot2 = require("@aws-sdk/client-iot");

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
  const securityHub2 = async (call) => {
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
    const page = await securityHub2(() => clients.securityHub.send(request, { abortSignal }));
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
      const outcome = await securityHub2(async () => {
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
async function hasSecurityProfile(iot2, abortSignal) {
  let nextToken;
  do {
    const page = await iot2.send(new import_client_iot2.ListSecurityProfilesCommand({ maxResults: 1, nextToken }), { abortSignal });
    if ((page.securityProfileIdentifiers ?? []).length > 0) {
      return true;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}

// src/handlers/security-hub-integration.lambda.ts
var SAFETY_MARGIN_MS = 15e3;
var REPORT_MARGIN_MS = 2e3;
var FUNCTION_TIMEOUT_MS = 12e4;
var securityHub = new import_client_securityhub.SecurityHubClient({ maxAttempts: 5 });
var iot = createIotClient();
async function handler(event, context) {
  return openRequest(event, context, { reportMarginMs: REPORT_MARGIN_MS, timeoutMs: FUNCTION_TIMEOUT_MS }, async (request) => {
    const plan = planIntegrationRequest(event);
    if (plan.kind === "leave-on") {
      await perform(decideLeftOn(plan.physicalResourceId), request.reporter);
      return { PhysicalResourceId: plan.physicalResourceId };
    }
    const run = await runWithDeadline(
      [plan.place],
      (place, abortSignal) => turnOnDeviceDefenderIntegration({ securityHub, iot }, place, abortSignal),
      { concurrency: 1, remainingMs: request.remainingMs, marginMs: SAFETY_MARGIN_MS }
    );
    const [settled] = run.settled;
    if (!settled) {
      throw new DeadlineExceededError(`AWS Security Hub did not answer in time: stopped ${SAFETY_MARGIN_MS / 1e3} s before the function's timeout`);
    }
    if ("error" in settled) {
      throw settled.error;
    }
    await perform(decideTurnedOn(plan.place, settled.result), request.reporter);
    return { PhysicalResourceId: integrationPhysicalId(plan.place) };
  }, (error) => ({ kind: error instanceof SecurityHubNotEnabledError ? "security-hub-not-enabled" : "request-failed" }));
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  REPORT_MARGIN_MS,
  SAFETY_MARGIN_MS,
  handler
});
