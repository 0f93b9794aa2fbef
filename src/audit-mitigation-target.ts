import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AUDIT_MITIGATION_TASK_PROPS as P } from './contract/custom-resources';
import {
  AUDIT_TASK_ID_PATTERN, FINDING_ID_PATTERN, MAX_FINDINGS_PER_TASK, MAX_REASON_CODES, MAX_TASKS_PER_RESOURCE, REASON_CODE_PATTERN,
} from './contract/limits';
import { AuditRuleSet } from './private/rules';
import { invalid, validatePattern } from './private/validation';

/** Findings of one audit check with any of these reason codes. */
export interface ReasonCodeFilter {
  /** The audit check. It needs a rule in the same `AuditMitigationTask`. */
  readonly check: AuditCheck;
  /** 1 to 25 reason codes, e.g. `CERTIFICATE_PAST_EXPIRATION`. */
  readonly reasonCodes: string[];
}

/** The findings an `AuditMitigationTask` applies its actions to: the three kinds of target AWS offers. */
export abstract class AuditMitigationTarget {
  /** Every non-compliant, unsuppressed finding of one audit. */
  public static auditTask(auditTaskId: string): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct) {
        validatePattern(scope, 'auditTaskId', auditTaskId, AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
        return { properties: { [P.AUDIT_TASK_ID]: auditTaskId }, taskCount: 1 };
      }
    })();
  }

  /**
   * A list of findings, from one or more audits, split into tasks of at most 25 findings.
   * At most 4,000 findings per `AuditMitigationTask` (the started task ids must fit in the
   * response to CloudFormation); use several for more.
   */
  public static findings(findingIds: string[]): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct) {
        if (!Token.isUnresolved(findingIds)) {
          const max = MAX_TASKS_PER_RESOURCE * MAX_FINDINGS_PER_TASK;
          if (findingIds.length < 1 || findingIds.length > max) {
            invalid(scope, 'findingIds', findingIds.length > 10 ? `${findingIds.length} ids` : findingIds,
              `must name 1 to ${max} findings per AuditMitigationTask, got ${findingIds.length}`);
          }
          const seen = new Set<string>();
          for (const id of findingIds) {
            validatePattern(scope, 'findingIds[]', id, FINDING_ID_PATTERN, 'must match [a-zA-Z0-9_-]{1,128}');
            if (seen.has(id)) { invalid(scope, 'findingIds[]', id, 'appears more than once'); }
            seen.add(id);
          }
        }
        return {
          properties: { [P.FINDING_IDS]: findingIds },
          taskCount: Token.isUnresolved(findingIds) ? undefined : Math.ceil(findingIds.length / MAX_FINDINGS_PER_TASK),
        };
      }
    })();
  }

  /**
   * The findings of one audit whose check and reason code match a filter (for example only
   * CERTIFICATE_PAST_EXPIRATION findings of DEVICE_CERTIFICATE_EXPIRING_CHECK). Suppressed
   * findings are never included.
   */
  public static reasonCodes(auditTaskId: string, filters: ReasonCodeFilter[]): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct, rules: AuditRuleSet) {
        validatePattern(scope, 'auditTaskId', auditTaskId, AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
        if (filters.length === 0) { invalid(scope, 'filters', filters, 'must filter at least one check'); }
        const filter: Record<string, string[]> = {};
        for (const f of filters) {
          if (Token.isUnresolved(f.check)) {
            invalid(scope, 'filters[].check', f.check, 'must be an AuditCheck known at synth: the checks are the keys of the task\'s reason-code filter');
            continue;
          }
          if (filter[f.check]) { invalid(scope, 'filters', f.check, 'each check can be filtered once'); }
          const prop = `filters[${f.check}].reasonCodes`;
          if (!Token.isUnresolved(f.reasonCodes) && (f.reasonCodes.length < 1 || f.reasonCodes.length > MAX_REASON_CODES)) {
            invalid(scope, prop, f.reasonCodes, `must list 1 to ${MAX_REASON_CODES} reason codes, got ${f.reasonCodes.length}`);
          }
          for (const code of f.reasonCodes) {
            validatePattern(scope, `${prop}[]`, code, REASON_CODE_PATTERN, 'must match [A-Z0-9_]{1,128}');
          }
          filter[f.check] = [...f.reasonCodes];
        }
        scope.node.addValidation({
          validate: () => Object.keys(filter).filter((check) => !rules.checks.includes(check as AuditCheck))
            .map((check) => `the reason-code filter selects ${check} findings, but no rule says what to do with them`),
        });
        return { properties: { [P.AUDIT_TASK_ID]: auditTaskId, [P.REASON_CODE_FILTER]: filter }, taskCount: undefined };
      }
    })();
  }

  protected constructor() {}

  /**
   * Validates the target and returns the custom resource's properties, and how many tasks
   * it starts when that is known at synth time.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, rules: AuditRuleSet): { properties: Record<string, unknown>; taskCount?: number };
}
