import { METRIC_DIMENSIONS, METRIC_NAMESPACE, METRICS } from '../../contract/telemetry';

/** One of the library's metric names (contract `METRICS`). */
export type MetricName = typeof METRICS[keyof typeof METRICS];

/** One embedded-metric-format line, as data: `emitMetrics(dimensions, dimensionSets, values)`. */
export interface MetricLine {
  readonly dimensions: Record<string, string>;
  readonly dimensionSets: string[][];
  readonly values: Partial<Record<MetricName, number>>;
}

/** CloudWatch's limits for one embedded-metric-format directive. */
const MAX_DIMENSIONS_PER_SET = 30;
const MAX_METRICS = 100;
/** A dimension value is 1 to 1024 characters (CloudWatch drops the metric otherwise). */
const MAX_DIMENSION_VALUE = 1024;

/**
 * Writes one log line in CloudWatch's embedded metric format (EMF): CloudWatch Logs turns it into
 * one datapoint per metric in `values` for each dimension set, with no API call and nothing
 * that can fail at run time (the line is the metric). Counts are `Count`s in namespace
 * `CdkDeviceDefender`.
 *
 * - `dimensions`: every dimension value the line carries (e.g. Mitigation, CheckName);
 * - `dimensionSets`: which combinations of them each metric is recorded under, e.g.
 *   `[['Mitigation'], ['Mitigation', 'CheckName']]`;
 * - `values`: metric name -> value; zero is written too (a zero is data: "nothing failed").
 *
 * Throws on a dimension set naming a dimension the line lacks, an empty or over-long dimension
 * value, or a value that is not a finite number: those lines would be dropped by CloudWatch
 * without a word, which is worse than failing loudly in a test.
 */
export function emitMetrics(dimensions: Record<string, string>, dimensionSets: string[][], values: Partial<Record<MetricName, number>>): void {
  const names = Object.keys(values) as MetricName[];
  if (names.length === 0) { return; }
  if (names.length > MAX_METRICS) { throw new Error(`emitMetrics: ${names.length} metrics in one line, at most ${MAX_METRICS}`); }
  for (const set of dimensionSets) {
    if (set.length === 0 || set.length > MAX_DIMENSIONS_PER_SET) {
      throw new Error(`emitMetrics: a dimension set has 1 to ${MAX_DIMENSIONS_PER_SET} dimensions, got ${set.length}`);
    }
    for (const key of set) {
      const value = dimensions[key];
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_DIMENSION_VALUE) {
        throw new Error(`emitMetrics: dimension ${key} must be 1 to ${MAX_DIMENSION_VALUE} characters, got ${JSON.stringify(value)}`);
      }
    }
  }
  for (const name of names) {
    if (!Number.isFinite(values[name])) { throw new Error(`emitMetrics: ${name} must be a finite number, got ${values[name]}`); }
  }
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: METRIC_NAMESPACE,
        Dimensions: dimensionSets,
        Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
      }],
    },
    ...dimensions,
    ...values,
  };
  console.log(JSON.stringify(line));
}

/** The account and region a decision is about, when a function acts in several (the organization hub's spokes). */
export interface SpokeScope {
  readonly account: string;
  readonly region: string;
}

/**
 * `line` about one spoke: its dimensions carry `Account` and `Region`, and a line recorded under
 * [Mitigation] is also recorded under [Mitigation, Account, Region] (one CloudWatch metric per
 * spoke and metric name; per-check and per-action sets stay organization-wide).
 */
export function inSpoke(line: MetricLine, spoke: SpokeScope): MetricLine {
  const { MITIGATION, ACCOUNT, REGION } = METRIC_DIMENSIONS;
  const perMitigation = line.dimensionSets.some((set) => set.length === 1 && set[0] === MITIGATION);
  return {
    dimensions: { ...line.dimensions, [ACCOUNT]: spoke.account, [REGION]: spoke.region },
    dimensionSets: perMitigation ? [...line.dimensionSets, [MITIGATION, ACCOUNT, REGION]] : line.dimensionSets,
    values: line.values,
  };
}
