import { Annotations, Resource, Token, Tokenization } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditConfiguration } from './audit-configuration';
import {
  ALL_AUDIT_CHECKS, SCHEDULED_AUDIT_CHECK_NAME_WARNING, SCHEDULED_AUDIT_NAME_PATTERN, SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS,
  accountAuditConfigurationOf, enabledChecksOf, registerScheduledAuditChecks,
} from './private/audit-setup';
import { describeValue, invalid, refuse, validatePattern } from './private/validation';

/** A day of the week, as CreateScheduledAudit spells it. */
export enum DayOfWeek {
  /** Sunday. */
  SUN = 'SUN',
  /** Monday. */
  MON = 'MON',
  /** Tuesday. */
  TUE = 'TUE',
  /** Wednesday. */
  WED = 'WED',
  /** Thursday. */
  THU = 'THU',
  /** Friday. */
  FRI = 'FRI',
  /** Saturday. */
  SAT = 'SAT',
}

/**
 * How often a scheduled audit runs. AWS IoT chooses the time of day.
 *
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_CreateScheduledAudit.html
 */
export class AuditFrequency {
  /** Every day. */
  public static daily(): AuditFrequency {
    return new AuditFrequency('DAILY');
  }

  /** Every week, on `day`. */
  public static weekly(day: DayOfWeek): AuditFrequency {
    return new AuditFrequency('WEEKLY', day, undefined, dayProblem('weekly', day));
  }

  /** Every other week, on `day`. */
  public static biweekly(day: DayOfWeek): AuditFrequency {
    return new AuditFrequency('BIWEEKLY', day, undefined, dayProblem('biweekly', day));
  }

  /**
   * Every month, on day `dayOfMonth` (1 to 31). In a month without that day, AWS IoT runs the
   * audit on the month's last day. Another number is refused at synth by the `ScheduledAudit`
   * given this frequency.
   */
  public static monthly(dayOfMonth: number): AuditFrequency {
    if (Token.isUnresolved(dayOfMonth)) {
      return new AuditFrequency('MONTHLY', undefined, Tokenization.stringifyNumber(dayOfMonth));
    }
    const problem = !Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31
      ? `AuditFrequency.monthly: invalid dayOfMonth ${describeValue(dayOfMonth)}: must be a whole number from 1 to 31 `
        + '(AuditFrequency.monthlyOnLastDay() for the last day of every month)'
      : undefined;
    return new AuditFrequency('MONTHLY', undefined, String(dayOfMonth), problem);
  }

  /** Every month, on its last day. */
  public static monthlyOnLastDay(): AuditFrequency {
    return new AuditFrequency('MONTHLY', undefined, 'LAST');
  }

  /** The API's frequency: DAILY, WEEKLY, BIWEEKLY or MONTHLY. */
  public readonly frequency: string;
  /**
   * The day of the week, for WEEKLY and BIWEEKLY.
   * @default - none
   */
  public readonly dayOfWeek?: DayOfWeek;
  /**
   * The day of the month (`1` to `31`, or `LAST`), for MONTHLY.
   * @default - none
   */
  public readonly dayOfMonth?: string;

  /**
   * What is wrong with the factory's argument: the `ScheduledAudit` given this frequency refuses it at
   * synth (a factory has no construct to report on).
   * @internal
   */
  public readonly _problem?: string;

  private constructor(frequency: string, dayOfWeek?: DayOfWeek, dayOfMonth?: string, problem?: string) {
    this.frequency = frequency;
    this.dayOfWeek = dayOfWeek;
    this.dayOfMonth = dayOfMonth;
    this._problem = problem;
  }
}

/** What is wrong with a day that is not a DayOfWeek (for callers outside TypeScript's type checks). */
function dayProblem(factory: string, day: DayOfWeek): string | undefined {
  const days = Object.values(DayOfWeek) as string[];
  return !Token.isUnresolved(day) && !days.includes(day)
    ? `AuditFrequency.${factory}: invalid day ${describeValue(day)}: must be one of ${days.join(', ')}`
    : undefined;
}

/** Properties of a `ScheduledAudit`. */
export interface ScheduledAuditProps {
  /**
   * The account's audit configuration; the audit may run only the checks it enables. This
   * library's `AuditConfiguration`, any construct whose default child is an
   * `AWS::IoT::AccountAuditConfiguration` (aws-iot-alpha's `AccountAuditConfiguration`, a
   * `CfnAccountAuditConfiguration`), or aws-iot-alpha's import (`fromAccountId`, which has an
   * `accountId`): then, as when the configuration's checks are tokens, `checks` is required.
   */
  readonly configuration: IConstruct;

  /** How often the audit runs. */
  readonly frequency: AuditFrequency;

  /**
   * The checks the audit runs; each must be enabled in `configuration`.
   *
   * INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK and
   * IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK are reported to be refused by CloudFormation in a
   * scheduled audit ("invalid Audit Check Name"): the default leaves them out (an info annotation
   * says so), and listing either adds the warning `cdk-device-defender:scheduledAuditCheckName`.
   * Only a real deployment (`integ:deploy`) proves whether your region accepts them.
   *
   * @default - every check `configuration` enables but the two reported to be refused
   */
  readonly checks?: AuditCheck[];

  /**
   * The scheduled audit's name: 1 to 128 letters, digits, `_` and `-`.
   *
   * @default - a name CloudFormation generates
   */
  readonly scheduledAuditName?: string;
}

/**
 * The checks a scheduled audit runs when its props name none: every enabled check but those
 * CloudFormation is reported to refuse, with an info annotation naming what was left out.
 */
function defaultChecks(scope: Construct, enabled: AuditCheck[]): AuditCheck[] {
  const left = enabled.filter((check) => SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS.includes(check));
  if (left.length > 0) {
    Annotations.of(scope).addInfo(`checks: the default leaves out ${left.join(' and ')}, which CloudFormation is reported to refuse in a `
      + 'scheduled audit ("invalid Audit Check Name"); the audit configuration still enables them. List them in checks to run them '
      + '(and prove it with a real deployment).');
  }
  return enabled.filter((check) => !left.includes(check));
}

/**
 * The checks an audit configuration enables: an AuditConfiguration's, or what the template of
 * another's `AWS::IoT::AccountAuditConfiguration` enables; `undefined` when the app cannot know
 * (an import, or tokens). Refuses a construct that is no audit configuration, and answers `null`.
 */
function enabledChecksOfConfiguration(scope: Construct, configuration: IConstruct): AuditCheck[] | undefined | null {
  if (configuration instanceof AuditConfiguration) { return configuration.enabledChecks; }
  const resource = accountAuditConfigurationOf(configuration);
  if (resource) { return enabledChecksOf(resource); }
  if (typeof (configuration as { accountId?: unknown }).accountId === 'string') { return undefined; }
  invalid(scope, 'configuration', configuration.node.path, 'must be an audit configuration: an AuditConfiguration, '
    + 'aws-iot-alpha\'s AccountAuditConfiguration (defined, or imported with fromAccountId), or an iot.CfnAccountAuditConfiguration');
  return null;
}

/**
 * Refuses an empty list, an unknown check, a check listed twice and, when the configuration's checks
 * are known, a check it does not enable.
 */
function validateChecks(scope: Construct, checks: AuditCheck[], enabled: AuditCheck[] | undefined, configuration: IConstruct): void {
  if (checks.length === 0) { invalid(scope, 'checks', checks, 'must list at least one audit check'); }
  checks.forEach((check, i) => {
    if (!ALL_AUDIT_CHECKS.includes(check)) {
      invalid(scope, 'checks', check, `must be audit checks, one of ${ALL_AUDIT_CHECKS.join(', ')}`);
    } else if (checks.indexOf(check) !== i) {
      invalid(scope, 'checks', check, 'lists the check twice; list each check once');
    }
  });
  const missing = enabled ? checks.filter((check) => ALL_AUDIT_CHECKS.includes(check) && !enabled.includes(check)) : [];
  if (missing.length > 0) {
    invalid(scope, 'checks', missing, `must be enabled in the audit configuration ${configuration.node.path}; `
      + 'add them to its checks, or leave them out of this audit');
  }
}

/**
 * Defines an AWS IoT Device Defender audit that runs on a schedule. It can be given to
 * `AuditMitigation`'s `scheduledAudits`, which then checks at synth time that it runs the checks
 * the mitigation has rules for.
 *
 * @resource AWS::IoT::ScheduledAudit
 */
export class ScheduledAudit extends Resource implements iot.IScheduledAuditRef {
  /**
   * The scheduled audit's name.
   * @attribute
   */
  public readonly scheduledAuditName: string;
  /**
   * The scheduled audit's ARN.
   * @attribute
   */
  public readonly scheduledAuditArn: string;
  /** The checks the audit runs. */
  public readonly checks: AuditCheck[];

  constructor(scope: Construct, id: string, props: ScheduledAuditProps) {
    super(scope, id, { physicalName: props.scheduledAuditName });
    if (props.scheduledAuditName !== undefined) {
      validatePattern(this, 'scheduledAuditName', props.scheduledAuditName, SCHEDULED_AUDIT_NAME_PATTERN,
        'must be 1 to 128 letters, digits, _ and -');
    }
    if (props.frequency._problem !== undefined) { refuse(this, `frequency ${props.frequency._problem}`); }
    const enabled = enabledChecksOfConfiguration(this, props.configuration);
    if (enabled === undefined && props.checks === undefined) {
      invalid(this, 'checks', props.checks, `the checks the audit configuration ${props.configuration.node.path} enables are unknown to `
        + 'this app (imported, or tokens): list the checks this audit runs');
    }
    const checks = props.checks ?? (enabled ? defaultChecks(this, enabled) : undefined);
    if (checks !== undefined) { validateChecks(this, checks, enabled ?? undefined, props.configuration); }
    this.checks = [...checks ?? []];
    registerScheduledAuditChecks(this, this.checks);
    const reported = props.checks?.filter((check) => SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS.includes(check)) ?? [];
    if (reported.length > 0) {
      Annotations.of(this).addWarningV2(SCHEDULED_AUDIT_CHECK_NAME_WARNING, `checks lists ${reported.join(' and ')}: CloudFormation is `
        + 'reported to refuse these in a scheduled audit ("invalid Audit Check Name", reported to @aws-cdk/aws-iot-alpha, which dropped '
        + 'them). Only a real deployment proves your region accepts them: run `npx projen integ:deploy` (or deploy to a test account) '
        + 'before relying on it, or leave them out of this scheduled audit.');
    }

    const resource = new iot.CfnScheduledAudit(this, 'Resource', {
      scheduledAuditName: this.physicalName,
      frequency: props.frequency.frequency,
      dayOfWeek: props.frequency.dayOfWeek,
      dayOfMonth: props.frequency.dayOfMonth,
      targetCheckNames: this.checks,
    });
    // A scheduled audit needs the account's audit configuration (and is deleted with it).
    resource.node.addDependency(props.configuration.node.defaultChild ?? props.configuration);
    this.scheduledAuditName = this.getResourceNameAttribute(resource.ref);
    this.scheduledAuditArn = this.getResourceArnAttribute(resource.attrScheduledAuditArn, {
      service: 'iot', resource: 'scheduledaudit', resourceName: this.physicalName,
    });
  }

  /** A reference to this scheduled audit (for `AuditMitigation`'s `scheduledAudits`). */
  public get scheduledAuditRef(): iot.ScheduledAuditReference {
    return { scheduledAuditName: this.scheduledAuditName, scheduledAuditArn: this.scheduledAuditArn };
  }
}
