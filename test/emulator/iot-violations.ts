/**
 * Device Defender Detect's security profiles and active violations, as `IotEmulator` keeps them for
 * ListSecurityProfiles and ListActiveViolations: the security profiles the account has (with the
 * dimensions and custom metrics their behaviors use) and, per profile, the violations currently in
 * alarm. Tests seed them (`IotEmulator.addSecurityProfile`, `addActiveViolation`); seeding checks
 * the values against the API model's shapes (SecurityProfileName, ActiveViolation, Behavior).
 *
 * Like the rest of the emulator's state (`IotState`), they belong to one account in one region.
 */
import {
  BEHAVIOR_NAME,
  BehaviorCriteriaType,
  checkEnum,
  checkString,
  DEVICE_DEFENDER_THING_NAME,
  DIMENSION_OR_METRIC_NAME,
  isRecord,
  SECURITY_PROFILE_NAME,
  VERIFICATION_STATES,
  VerificationState,
  VIOLATION_ID,
} from './iot-model';
import { notFound } from './iot-resources';

/** The behavior a violation breaks (the API's Behavior: `name` required). */
export interface BehaviorSeed {
  name: string;
  metric?: string;
  /** The API's BehaviorCriteria: `mlDetectionConfig` makes it MACHINE_LEARNING, `statisticalThreshold` STATISTICAL, else STATIC. */
  criteria?: Record<string, unknown>;
  /** Alerts of this behavior are suppressed: its violations are listed only with `listSuppressedAlerts=true`. */
  suppressAlerts?: boolean;
}

/** One violation in alarm (the API's ActiveViolation). */
export interface ActiveViolationSeed {
  violationId: string;
  /** The profile is added too, if it is not known yet. */
  securityProfileName: string;
  thingName: string;
  behavior: BehaviorSeed;
  /** The API's MetricValue of the latest violation, e.g. `{ count: 250 }`. */
  lastViolationValue?: Record<string, unknown>;
  verificationState?: VerificationState;
  verificationStateDescription?: string;
  /** Defaults to now. */
  violationStartTime?: Date;
  /** Defaults to violationStartTime. */
  lastViolationTime?: Date;
}

/** What a seeded security profile's behaviors use, for ListSecurityProfiles' filters. */
export interface SecurityProfileUses {
  /** Names of the dimensions its behaviors use (DimensionName). */
  dimensionNames?: string[];
  /** Names of the custom metrics its behaviors use (MetricName). */
  metricNames?: string[];
}

/** ListSecurityProfiles' filters: at most one of them (the API refuses both). */
export interface SecurityProfileFilter {
  dimensionName?: string;
  metricName?: string;
}

/** ListActiveViolations' filters (all optional, as in the API). */
export interface ActiveViolationFilter {
  securityProfileName?: string;
  thingName?: string;
  behaviorCriteriaType?: string;
  listSuppressedAlerts?: boolean;
  verificationState?: string;
}

function criteriaType(behavior: BehaviorSeed): BehaviorCriteriaType {
  if (behavior.criteria?.mlDetectionConfig !== undefined) return 'MACHINE_LEARNING';
  return behavior.criteria?.statisticalThreshold !== undefined ? 'STATISTICAL' : 'STATIC';
}

const epochSeconds = (d: Date): number => d.getTime() / 1000;

export class ActiveViolationStore {
  /** By name, in the order they were seeded. */
  private readonly profiles = new Map<string, Required<SecurityProfileUses>>();
  /** By violation id, in the order they were seeded. */
  private readonly violations = new Map<string, ActiveViolationSeed & { violationStartTime: Date; lastViolationTime: Date }>();

  clear(): void {
    this.profiles.clear();
    this.violations.clear();
  }

  addSecurityProfile(name: string, uses: SecurityProfileUses = {}): void {
    const problems = [
      ...checkString('securityProfileName', name, SECURITY_PROFILE_NAME, true),
      ...(uses.dimensionNames ?? []).flatMap((d) => checkString('dimensionNames[]', d, DIMENSION_OR_METRIC_NAME, true)),
      ...(uses.metricNames ?? []).flatMap((m) => checkString('metricNames[]', m, DIMENSION_OR_METRIC_NAME, true)),
    ];
    if (problems.length > 0) throw new Error(`addSecurityProfile: ${problems.join('; ')}`);
    this.profiles.set(name, { dimensionNames: [...uses.dimensionNames ?? []], metricNames: [...uses.metricNames ?? []] });
  }

  /**
   * The names of the security profiles matching `filter`, in the order they were seeded, as
   * ListSecurityProfiles lists them. A dimension or metric that no profile uses lists none (the API
   * reference does not say whether an unknown name is refused).
   */
  profileNames(filter: SecurityProfileFilter = {}): string[] {
    return [...this.profiles.entries()]
      .filter(([, uses]) => filter.dimensionName === undefined || uses.dimensionNames.includes(filter.dimensionName))
      .filter(([, uses]) => filter.metricName === undefined || uses.metricNames.includes(filter.metricName))
      .map(([name]) => name);
  }

  add(seed: ActiveViolationSeed): void {
    const problems = [
      ...checkString('violationId', seed.violationId, VIOLATION_ID, true),
      ...checkString('securityProfileName', seed.securityProfileName, SECURITY_PROFILE_NAME, true),
      ...checkString('thingName', seed.thingName, DEVICE_DEFENDER_THING_NAME, true),
      ...(isRecord(seed.behavior) ? checkString('behavior.name', seed.behavior.name, BEHAVIOR_NAME, true) : ['behavior: must be an object']),
      ...checkEnum('verificationState', seed.verificationState, VERIFICATION_STATES),
      ...checkString('verificationStateDescription', seed.verificationStateDescription, { max: 1000, pattern: /^\P{Cc}*$/u }),
    ];
    if (this.violations.has(seed.violationId)) problems.push(`violation ${seed.violationId} already exists`);
    if (problems.length > 0) throw new Error(`addActiveViolation: ${problems.join('; ')}`);
    if (!this.profiles.has(seed.securityProfileName)) this.addSecurityProfile(seed.securityProfileName);
    const start = seed.violationStartTime ? new Date(seed.violationStartTime) : new Date();
    this.violations.set(seed.violationId, {
      ...structuredClone(seed),
      violationStartTime: start,
      lastViolationTime: seed.lastViolationTime ? new Date(seed.lastViolationTime) : start,
    });
  }

  /** The alarm cleared: the violation is no longer active. */
  remove(violationId: string): void {
    if (!this.violations.delete(violationId)) throw new Error(`clearActiveViolation: no active violation ${violationId}`);
  }

  /**
   * The active violations matching `filter`, as ListActiveViolations returns them (timestamps in
   * epoch seconds). An unknown security profile is ResourceNotFoundException; an unknown thing has
   * no violations. Violations of a behavior whose alerts are suppressed are listed only with
   * `listSuppressedAlerts` true.
   */
  list(filter: ActiveViolationFilter): Array<Record<string, unknown>> {
    if (filter.securityProfileName !== undefined && !this.profiles.has(filter.securityProfileName)) {
      throw notFound(`Security profile ${filter.securityProfileName} does not exist.`);
    }
    return [...this.violations.values()]
      .filter((v) => filter.securityProfileName === undefined || v.securityProfileName === filter.securityProfileName)
      .filter((v) => filter.thingName === undefined || v.thingName === filter.thingName)
      .filter((v) => filter.behaviorCriteriaType === undefined || criteriaType(v.behavior) === filter.behaviorCriteriaType)
      .filter((v) => filter.verificationState === undefined || v.verificationState === filter.verificationState)
      .filter((v) => filter.listSuppressedAlerts === true || v.behavior.suppressAlerts !== true)
      .map((v) => ({
        violationId: v.violationId,
        thingName: v.thingName,
        securityProfileName: v.securityProfileName,
        behavior: v.behavior,
        lastViolationValue: v.lastViolationValue,
        verificationState: v.verificationState,
        verificationStateDescription: v.verificationStateDescription,
        lastViolationTime: epochSeconds(v.lastViolationTime),
        violationStartTime: epochSeconds(v.violationStartTime),
      }));
  }
}
