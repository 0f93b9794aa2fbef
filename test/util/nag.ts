import { Aspects, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, INagLogger, NagLoggerSuppressedData, ServerlessChecks } from 'cdk-nag';

/** Every finding cdk-nag suppressed, by app or stage: resource, rule and finding id. */
const suppressedByStage = new WeakMap<Stage, NagLoggerSuppressedData[]>();

/** A cdk-nag logger that only records suppressed findings. */
class SuppressedFindings implements INagLogger {
  constructor(private readonly found: NagLoggerSuppressedData[]) {}
  public onSuppressed(data: NagLoggerSuppressedData): void { this.found.push(data); }
  public onCompliance(): void {}
  public onNonCompliance(): void {}
  public onError(): void {}
  public onSuppressedError(): void {}
  public onNotApplicable(): void {}
}

/**
 * Adds cdk-nag's AwsSolutions and Serverless packs to `stage`: an app, or a stage nested in one
 * (the app's aspects do not reach into a nested stage). Call before the stacks synthesize.
 */
export function addNagPacks(stage: Stage): void {
  const found: NagLoggerSuppressedData[] = [];
  suppressedByStage.set(stage, found);
  const additionalLoggers = [new SuppressedFindings(found)];
  Aspects.of(stage).add(new AwsSolutionsChecks({ verbose: true, additionalLoggers }));
  Aspects.of(stage).add(new ServerlessChecks({ verbose: true, additionalLoggers }));
}

/** Every unsuppressed cdk-nag error and warning on the stack, as "path: message" lines. */
export function nagFindings(stack: Stack): string[] {
  const stage = Stage.of(stack)!;
  if (stage !== stack.node.root) {
    // A stack of a nested stage: its messages are in the stage's own assembly, which Annotations.fromStack does not read.
    const pattern = /^(AwsSolutions|Serverless)-/;
    return stage.synth().getStackArtifact(stack.artifactId).messages
      .filter((m) => (m.level === 'error' || m.level === 'warning') && pattern.test(String(m.entry.data)))
      .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
  }
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('^(AwsSolutions|Serverless)-');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)]
    .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

/** cdk-nag's `/pattern/flags` form of an `applies_to` regex. */
function toRegExp(regex: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/.exec(regex);
  if (!match) { throw new Error(`not a cdk-nag applies_to regex: ${regex}`); }
  return new RegExp(match[1], match[2]);
}

/**
 * Every suppression in the stack's `cdk_nag` metadata (each `applies_to` entry on its own) that
 * covers no finding cdk-nag reported on that resource, as "path: rule [applies_to]" lines: a
 * suppression for a permission the resource does not have. Call after `app.synth()`, with the
 * stack's app (or nested stage) given to `addNagPacks`.
 */
export function unusedNagSuppressions(stack: Stack): string[] {
  const found = suppressedByStage.get(Stage.of(stack)!);
  if (!found) { throw new Error('call addNagPacks(app) (or addNagPacks(stage) for a nested stage) before synthesis'); }
  const unused: string[] = [];
  for (const resource of stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource)) {
    const rules: any[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
    const findings = found.filter((f) => f.resource === resource);
    for (const rule of rules) {
      const appliesTo: any[] | undefined = rule.applies_to;
      if (!appliesTo) {
        if (!findings.some((f) => f.ruleId === rule.id)) { unused.push(`${resource.node.path}: ${rule.id}`); }
        continue;
      }
      for (const entry of appliesTo) {
        const matches = (findingId: string) => typeof entry === 'string' ? entry === findingId : toRegExp(entry.regex).test(findingId);
        if (!findings.some((f) => f.ruleId === rule.id && matches(f.findingId))) {
          unused.push(`${resource.node.path}: ${rule.id} [${typeof entry === 'string' ? entry : entry.regex}]`);
        }
      }
    }
  }
  return unused;
}
