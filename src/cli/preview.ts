import { AuditFinding, IoTClient, ResourceIdentifier, paginateListAuditFindings } from '@aws-sdk/client-iot';
import { Progress } from './output';
import { FindingResource } from '../contract/audit-checks';
import { AUDIT_ENV as ENV } from '../contract/environment';
import { AuditPlan, planAuditMitigation } from '../handlers/shared/audit-plan';
import { describeAudit } from '../handlers/shared/iot-tasks';

/** The rules an AuditMitigation put in a synthesized template. */
export interface TemplateRules {
  /** The logical id of the handler function that carries them. */
  readonly functionLogicalId: string;
  readonly rules: Record<string, string[]>;
  readonly maxFindingsPerCheck: number;
  readonly dryRun: boolean;
  readonly taskIdPrefix: string;
  /** The handler's age bound (its reconcile lookback), in hours, when the template sets one. */
  readonly maxAuditAgeHours?: number;
}

/** What a configuration would do to one finding. */
export interface PreviewRow {
  readonly findingId: string;
  readonly checkName: string;
  readonly resource: string;
  /** The actions that would apply, in order; empty when none would. */
  readonly actions: string[];
  /** Why nothing would be done, when nothing would. */
  readonly note?: string;
}

type Template = { Resources?: Record<string, { Type?: string; Properties?: Record<string, any> }> };

/** Resolves an environment value the library wrote with Stack.toJsonString (Refs to mitigation actions). */
function resolveValue(template: Template, value: unknown, what: string): string {
  if (typeof value === 'string') { return value; }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (!join) { throw new Error(`${what}: cannot read ${JSON.stringify(value)}`); }
  return join[1].map((part) => {
    if (typeof part === 'string') { return part; }
    const ref = (part as { Ref?: string }).Ref;
    const resource = ref ? template.Resources?.[ref] : undefined;
    const name = resource?.Type === 'AWS::IoT::MitigationAction' ? resource.Properties?.ActionName : undefined;
    if (typeof name !== 'string') { throw new Error(`${what}: cannot resolve ${JSON.stringify(part)} to a mitigation action name`); }
    return name;
  }).join(join[0]);
}

/** Every AuditMitigation configuration in a synthesized template. */
export function rulesFromTemplate(template: Template): TemplateRules[] {
  const found: TemplateRules[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const env = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Environment?.Variables : undefined;
    if (!env?.[ENV.RULES]) { continue; }
    found.push({
      functionLogicalId: logicalId,
      rules: JSON.parse(resolveValue(template, env[ENV.RULES], `${logicalId} ${ENV.RULES}`)),
      maxFindingsPerCheck: Number(env[ENV.MAX_FINDINGS_PER_CHECK]),
      dryRun: env[ENV.DRY_RUN] === 'true',
      taskIdPrefix: String(env[ENV.TASK_ID_PREFIX]),
      maxAuditAgeHours: env[ENV.RECONCILE_LOOKBACK_HOURS] === undefined ? undefined : Number(env[ENV.RECONCILE_LOOKBACK_HOURS]),
    });
  }
  return found;
}

/**
 * How each kind of resource a finding names reads, in the order they are tried: the first member
 * the finding's identifier has gives the detail.
 */
const RESOURCE_DETAILS: Record<FindingResource, (id: ResourceIdentifier) => string | undefined> = {
  deviceCertificateId: (id) => id.deviceCertificateId,
  caCertificateId: (id) => id.caCertificateId,
  clientId: (id) => id.clientId,
  cognitoIdentityPoolId: (id) => id.cognitoIdentityPoolId,
  roleAliasArn: (id) => id.roleAliasArn,
  iamRoleArn: (id) => id.iamRoleArn,
  policyVersionIdentifier: (id) => id.policyVersionIdentifier && `${id.policyVersionIdentifier.policyName} v${id.policyVersionIdentifier.policyVersionId}`,
  account: (id) => id.account && `account ${id.account}`,
  issuerCertificateIdentifier: (id) => id.issuerCertificateIdentifier && `issuer ${id.issuerCertificateIdentifier.issuerCertificateSubject ?? '?'}`
    + ` (id ${id.issuerCertificateIdentifier.issuerId ?? '?'}, serial ${id.issuerCertificateIdentifier.issuerCertificateSerialNumber ?? '?'})`,
  deviceCertificateArn: (id) => id.deviceCertificateArn,
};

/** A readable name for a finding's resource. */
export function describeResource(finding: AuditFinding): string {
  const r = finding.nonCompliantResource;
  const id = r?.resourceIdentifier ?? {};
  const detail = Object.values(RESOURCE_DETAILS).map((describe) => describe(id)).find((d) => d !== undefined);
  return r?.resourceType ? `${r.resourceType}${detail ? ` ${detail}` : ''}` : detail ?? '-';
}

async function listFindings(iot: IoTClient, taskId: string, suppressed: boolean, progress?: Progress): Promise<AuditFinding[]> {
  const findings: AuditFinding[] = [];
  for await (const page of paginateListAuditFindings({ client: iot, pageSize: 250 }, { taskId, listSuppressedFindings: suppressed })) {
    findings.push(...page.findings ?? []);
    progress?.tick(page.findings?.length ?? 0);
  }
  return findings;
}

/**
 * The handler's plan for an audit under a template's rules, from DescribeAuditTask's counts: the
 * same planner and the same input as the deployed handler, so preview and handler cannot disagree
 * about the blast radius. The audit filter (scheduled audits, on-demand) is not applied: preview
 * shows what the rules would do to whatever audit it is given.
 */
async function planFor(iot: IoTClient, auditTaskId: string, config: TemplateRules): Promise<AuditPlan> {
  return planAuditMitigation(await describeAudit(iot, auditTaskId), {
    accountId: '',
    rules: config.rules,
    scheduledAudits: undefined,
    includeOnDemandAudits: true,
    dryRun: config.dryRun,
    maxFindingsPerCheck: config.maxFindingsPerCheck,
    taskIdPrefix: config.taskIdPrefix,
    maxAuditAgeHours: config.maxAuditAgeHours,
  }, new Date());
}

/** What the plan does about one check: the actions it would apply, or why it applies none. */
function decisionFor(plan: AuditPlan, checkName: string, config: TemplateRules): { actions: string[]; note?: string } {
  if (!config.rules[checkName]) { return { actions: [], note: 'no rule for this check' }; }
  if (plan.kind === 'ignore') { return { actions: [], note: `not mitigated: ${plan.reason}` }; }
  const planned = plan.checks.find((c) => c.checkName === checkName);
  if (planned) { return { actions: [...planned.actions], note: config.dryRun ? 'dry run: would be reported, not applied' : undefined }; }
  const excluded = plan.excluded.find((c) => c.checkName === checkName);
  if (excluded) { return { actions: [], note: `left out: ${excluded.reason}` }; }
  const skipped = plan.skipped.find((c) => c.checkName === checkName);
  return { actions: [], note: `not mitigated: ${skipped?.reason ?? 'DescribeAuditTask reports no such check in this audit'}` };
}

/**
 * What the template's AuditMitigation would do to each finding of an audit, without starting
 * anything: the actions per finding, checks left out by the blast-radius limit, and suppressed
 * findings apart.
 */
export async function previewAudit(iot: IoTClient, auditTaskId: string, config: TemplateRules, progress?: Progress): Promise<PreviewRow[]> {
  const plan = await planFor(iot, auditTaskId, config);
  const findings = await listFindings(iot, auditTaskId, false, progress);
  const suppressed = await listFindings(iot, auditTaskId, true, progress);
  progress?.done();
  const rows: PreviewRow[] = findings.map((f) => ({
    findingId: f.findingId!, checkName: f.checkName!, resource: describeResource(f), ...decisionFor(plan, f.checkName!, config),
  }));
  rows.push(...suppressed.map((f) => ({
    findingId: f.findingId!, checkName: f.checkName!, resource: describeResource(f), actions: [], note: 'suppressed: never mitigated',
  })));
  return rows;
}
