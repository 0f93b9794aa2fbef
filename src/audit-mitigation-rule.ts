import { AuditCheck } from './audit-check';
import { IMitigationAction } from './mitigation-action';

/**
 * Which mitigation actions to apply to the non-compliant findings of one audit check.
 */
export interface AuditMitigationRule {
  /** The audit check whose findings the actions apply to. */
  readonly check: AuditCheck;

  /**
   * 1 to 5 distinct actions, applied to each finding in this order. When one fails for a
   * finding, AWS skips the later ones for that finding only. Each action's type must be one
   * the check supports (see `MitigationAction.supportedActionTypes()`).
   */
  readonly actions: IMitigationAction[];
}
