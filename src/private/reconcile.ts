import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalid } from './validation';

/** The reconciler's schedule and lookback, as `AuditMitigation` and `MitigationHub` take them. */
export interface ReconcileProps {
  readonly reconcileInterval?: Duration;
  readonly reconcileLookback?: Duration;
}

/**
 * The reconciler's interval (default 1 hour) and lookback (default 1 day), checked: the interval
 * is an EventBridge rate (whole minutes, at least one), the lookback 1 hour to 90 days and at least
 * the interval. A refused interval is replaced by the default, so the schedule can still be defined
 * while synthesis fails.
 */
export function reconcileSettings(scope: IConstruct, props: ReconcileProps): { interval: Duration; lookback: Duration } {
  const MINUTE = 60_000;
  let interval = props.reconcileInterval ?? Duration.hours(1);
  if (interval.toMilliseconds() < MINUTE || interval.toMilliseconds() % MINUTE !== 0) {
    invalid(scope, 'reconcileInterval', interval.toHumanString(), 'must be at least 1 minute, in whole minutes (an EventBridge rate)');
    interval = Duration.hours(1);
  }
  const lookback = props.reconcileLookback ?? Duration.days(1);
  if (lookback.toMilliseconds() < 60 * MINUTE || lookback.toMilliseconds() > 90 * 24 * 60 * MINUTE) {
    invalid(scope, 'reconcileLookback', lookback.toHumanString(), 'must be 1 hour to 90 days (AWS keeps audit results for 90 days)');
  } else if (lookback.toMilliseconds() < interval.toMilliseconds()) {
    invalid(scope, 'reconcileLookback', lookback.toHumanString(), `must be at least reconcileInterval (${interval.toHumanString()}), or audits fall between runs`);
  }
  return { interval, lookback };
}

/** The lookback in whole hours (rounded up), as the handlers read it. */
export function lookbackHours(lookback: Duration): string {
  return String(Math.ceil(lookback.toHours({ integral: false })));
}
