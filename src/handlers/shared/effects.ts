import type { MitigationEvent } from './events';
import { Level, log } from './log';
import { emitMetrics, inSpoke, MetricLine } from './metrics';
import type { AnswerDeadline, Reporter } from './report';

/**
 * What a decision says besides what it starts, as data: each handler's pure `decide()` returns
 * these, and `perform()` carries them out in the order given. That order is the handlers' rule
 * (see report.ts): a start's counts before its report, a report-only decision's counts after its
 * report went out, so that a retried invocation never counts a decision twice.
 */
export type Effect =
  /** One log line: cannot fail. */
  | { readonly kind: 'log'; readonly level: Level; readonly event: string; readonly fields: Record<string, unknown> }
  /** Embedded-metric-format lines: log lines too, so they cannot fail. */
  | { readonly kind: 'metrics'; readonly lines: readonly MetricLine[] }
  /** A report (`Reporter.report`): the log line, the report topic, then the events. Can fail. */
  | {
    readonly kind: 'report';
    readonly level: Level;
    readonly event: string;
    readonly fields: Record<string, unknown>;
    readonly events: readonly MitigationEvent[];
  }
  /** A permanent failure (`Reporter.permanentFailure`): its metric, its ERROR line, the report topic and the event. Can fail. */
  | { readonly kind: 'permanent-failure'; readonly failure: string; readonly error: unknown; readonly fields: Record<string, unknown> };

export function logLine(level: Level, event: string, fields: Record<string, unknown> = {}): Effect {
  return { kind: 'log', level, event, fields };
}

export function metricLines(...lines: MetricLine[]): Effect {
  return { kind: 'metrics', lines };
}

export function report(level: Level, event: string, fields: Record<string, unknown>, events: readonly MitigationEvent[] = []): Effect {
  return { kind: 'report', level, event, fields, events };
}

/** `failure`: what failed, the permanent-failure line's `kind` ('mitigation-failed', 'config-error', ...). */
export function permanentFailure(failure: string, error: unknown, fields: Record<string, unknown> = {}): Effect {
  return { kind: 'permanent-failure', failure, error, fields };
}

/**
 * Carries out `effects` in order through `reporter`. A report that cannot be sent throws, and
 * nothing after it is done (so counts meant for after a report are not written); with `answer`,
 * reports are best effort and this never throws (see `AnswerDeadline`). A reporter about a spoke
 * (`reporter.spoke`) adds its account and region to every log line and metric line too.
 */
export async function perform(effects: readonly Effect[], reporter: Reporter, answer?: AnswerDeadline): Promise<void> {
  const { spoke } = reporter;
  for (const effect of effects) {
    switch (effect.kind) {
      case 'log':
        log(effect.level, effect.event, spoke ? { ...effect.fields, ...spoke } : effect.fields);
        break;
      case 'metrics':
        for (const line of effect.lines.map((l) => (spoke ? inSpoke(l, spoke) : l))) {
          emitMetrics(line.dimensions, line.dimensionSets, line.values);
        }
        break;
      case 'report':
        await reporter.report(effect.level, effect.event, effect.fields, [...effect.events], answer);
        break;
      case 'permanent-failure':
        await reporter.permanentFailure(effect.failure, effect.error, effect.fields, answer);
        break;
    }
  }
}
