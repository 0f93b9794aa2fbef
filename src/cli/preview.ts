import { AuditFinding, IoTClient, paginateListAuditFindings } from '@aws-sdk/client-iot';
import { Progress } from './output';
import { AUDIT_ENV as ENV } from '../contract';

/** The rules an AuditMitigation put in a synthesized template. */
export interface TemplateRules {
  /** The logical id of the handler function that carries them. */
  readonly functionLogicalId: string;
  readonly rules: Record<string, string[]>;
  readonly maxFindingsPerCheck: number;
  readonly dryRun: boolean;
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
    });
  }
  return found;
}

/** A readable name for a finding's resource. */
export function describeResource(finding: AuditFinding): string {
  const r = finding.nonCompliantResource;
  const id = r?.resourceIdentifier ?? {};
  const detail = id.deviceCertificateId ?? id.caCertificateId ?? id.clientId ?? id.cognitoIdentityPoolId ?? id.roleAliasArn ?? id.iamRoleArn
    ?? (id.policyVersionIdentifier ? `${id.policyVersionIdentifier.policyName} v${id.policyVersionIdentifier.policyVersionId}` : undefined)
    ?? (id.account ? `account ${id.account}` : undefined);
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
 * What the template's AuditMitigation would do to each finding of an audit, without starting
 * anything: the actions per finding, checks left out by the blast-radius limit, and suppressed
 * findings apart.
 */
export async function previewAudit(iot: IoTClient, auditTaskId: string, config: TemplateRules, progress?: Progress): Promise<PreviewRow[]> {
  const findings = await listFindings(iot, auditTaskId, false, progress);
  const suppressed = await listFindings(iot, auditTaskId, true, progress);
  progress?.done();
  const perCheck = new Map<string, number>();
  for (const f of findings) { perCheck.set(f.checkName!, (perCheck.get(f.checkName!) ?? 0) + 1); }
  const rows: PreviewRow[] = findings.map((f) => {
    const base = { findingId: f.findingId!, checkName: f.checkName!, resource: describeResource(f) };
    const actions = config.rules[f.checkName!];
    if (!actions) { return { ...base, actions: [], note: 'no rule for this check' }; }
    const count = perCheck.get(f.checkName!)!;
    if (count > config.maxFindingsPerCheck) {
      return { ...base, actions: [], note: `left out: ${count} findings of this check exceed maxFindingsPerCheck (${config.maxFindingsPerCheck})` };
    }
    return { ...base, actions: [...actions], note: config.dryRun ? 'dry run: would be reported, not applied' : undefined };
  });
  rows.push(...suppressed.map((f) => ({
    findingId: f.findingId!, checkName: f.checkName!, resource: describeResource(f), actions: [], note: 'suppressed: never mitigated',
  })));
  return rows;
}
