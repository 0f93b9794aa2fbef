/**
 * The README's "What each construct defines" table, from synthesized stacks: each construct alone in
 * a fresh stack with its defaults, its resources by type and count, and its IAM roles (who may
 * assume each, what each may do). test/footprint.test.ts checks the README against it;
 * `npx ts-node --transpile-only --project tsconfig.dev.json test/util/footprint.ts` (after
 * `npx projen bundle`) rewrites the table's resource column and adds a row for a construct it lacks.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { IConstruct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression,
  AuditSuppressionResource, DetectMitigation, LogLevel, MitigationAction, MitigationActionParams, MitigationDashboard, MitigationEventBus,
  MitigationHub, MitigationSpoke, ScheduledAudit,
} from '../../src';

export const README = join(__dirname, '..', '..', 'README.md');
export const MARKERS = { start: '<!-- footprint:start -->', end: '<!-- footprint:end -->' } as const;

/** CloudFormation resource type -> count. */
export type Counts = Record<string, number>;

/**
 * One IAM role: who may assume it (a service principal, or `account` for another AWS account), the
 * actions its policies allow, its managed policies' names.
 */
export interface RoleFootprint {
  readonly principals: string[];
  readonly actions: string[];
  readonly managedPolicies: string[];
}

/** What one construct (or shared piece) defines. */
export interface RowFootprint {
  readonly resources: Counts;
  /** By the id of the role's construct, relative to the row's construct (or the row's own id). */
  readonly roles: Record<string, RoleFootprint>;
}

/** The library's constructs, by row key: a top-level construct of one of these classes is its row. */
const LIBRARY: ReadonlyArray<readonly [string, abstract new (...args: any[]) => IConstruct]> = [
  ['MitigationAction', MitigationAction], ['AuditConfiguration', AuditConfiguration], ['ScheduledAudit', ScheduledAudit],
  ['AuditMitigation', AuditMitigation], ['AuditMitigationTask', AuditMitigationTask], ['AuditSuppression', AuditSuppression],
  ['DetectMitigation', DetectMitigation], ['MitigationDashboard', MitigationDashboard], ['MitigationEventBus', MitigationEventBus],
  ['MitigationHub', MitigationHub], ['MitigationSpoke', MitigationSpoke],
];

/** What the constructs define once per stack, at these ids directly under the stack. */
export const SHARED_IDS = [
  'CdkDeviceDefenderTaskFollower', 'CdkDeviceDefenderAuditMitigationTaskProvider', 'CdkDeviceDefenderAuditSuppressionProvider',
  'CdkDeviceDefenderIotLoggingRole',
] as const;

/** The row a top-level construct of a stack belongs to; `undefined` for the app's own resources. */
function rowKeyOf(construct: IConstruct): string | undefined {
  if ((SHARED_IDS as readonly string[]).includes(construct.node.id)) { return construct.node.id; }
  return LIBRARY.find(([, type]) => construct instanceof type)?.[0];
}

const deactivate = (s: Stack) => new MitigationAction(s, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
const rule = (s: Stack) => ({ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate(s)] });
const quarantine = (s: Stack) => new MitigationAction(s, 'Quarantine', {
  actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(s, 'Group', 'quarantine')] }),
});
const profile = (s: Stack) => new iot.CfnSecurityProfile(s, 'Profile', { securityProfileName: 'chatty' });
const suppressionProps = { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, resource: AuditSuppressionResource.clientId('lab'), suppressIndefinitely: true };

/** Each construct with its defaults, and what it needs (which are rows of their own, or the app's). */
export const SCENARIOS: Record<string, (stack: Stack) => IConstruct> = {
  MitigationAction: (s) => deactivate(s),
  AuditConfiguration: (s) => new AuditConfiguration(s, 'AuditConfiguration'),
  ScheduledAudit: (s) => new ScheduledAudit(s, 'ScheduledAudit', {
    configuration: new AuditConfiguration(s, 'AuditConfiguration'), frequency: AuditFrequency.daily(),
  }),
  AuditMitigation: (s) => new AuditMitigation(s, 'AuditMitigation', { rules: [rule(s)] }),
  AuditMitigationTask: (s) => new AuditMitigationTask(s, 'AuditMitigationTask', {
    target: AuditMitigationTarget.auditTask('a'.repeat(32)), rules: [rule(s)],
  }),
  AuditSuppression: (s) => new AuditSuppression(s, 'AuditSuppression', suppressionProps),
  DetectMitigation: (s) => new DetectMitigation(s, 'DetectMitigation', { securityProfile: profile(s), actions: [quarantine(s)] }),
  MitigationDashboard: (s) => new MitigationDashboard(s, 'MitigationDashboard', {
    auditMitigations: [new AuditMitigation(s, 'AuditMitigation', { rules: [rule(s)] })],
  }),
  CdkDeviceDefenderIotLoggingRole: (s) => new MitigationAction(s, 'EnableLogging', {
    actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
  }),
  MitigationHub: (s) => new MitigationHub(s, 'MitigationHub', { organizationId: 'o-abcdefghij' }),
  MitigationSpoke: (s) => new MitigationSpoke(s, 'MitigationSpoke', {
    hub: MitigationHub.fromHubAttributes(s, 'Hub', { account: '111111111111', region: 'eu-central-1' }), rules: [rule(s)],
  }),
  // A bus needs a user, and an eventBus adds a policy to the user's shared provider (the table's note).
  MitigationEventBus: (s) => {
    const bus = new MitigationEventBus(s, 'MitigationEventBus');
    new AuditSuppression(s, 'AuditSuppression', { ...suppressionProps, eventBus: bus });
    return bus;
  },
};

/** A fresh stack with what `define` defines, synthesized, and the construct `define` returns. */
export function synthesize(define: (stack: Stack) => IConstruct | void): { stack: Stack; template: any; construct?: IConstruct } {
  const stack = new Stack(new App(), 'Footprint', { env: { account: '123456789012', region: 'eu-west-1' } });
  const construct = define(stack) ?? undefined;
  return { stack, template: Template.fromStack(stack).toJSON(), construct };
}

/** Every top-level construct of the stack that is a row (a library construct or a shared piece), with what it defines. */
export function footprintOf(stack: Stack, template: any): Map<string, RowFootprint> {
  const rows = new Map<string, RowFootprint>();
  const logicalId = (resource: CfnResource) => stack.resolve(resource.logicalId) as string;
  for (const top of stack.node.children) {
    const key = rowKeyOf(top);
    if (key === undefined) { continue; }
    if (rows.has(key)) { throw new Error(`two ${key} in one scenario: give each scenario one construct of a kind`); }
    const resources: Counts = {};
    const roles: Record<string, RoleFootprint> = {};
    for (const resource of top.node.findAll().filter(CfnResource.isCfnResource)) {
      const rendered = template.Resources[logicalId(resource)];
      if (!rendered) { continue; }
      resources[rendered.Type] = (resources[rendered.Type] ?? 0) + 1;
      if (resource instanceof iam.CfnRole) {
        const owner = resource.node.id === 'Resource' ? resource.node.scope! : resource;
        roles[owner === top ? top.node.id : owner.node.path.slice(top.node.path.length + 1)] = roleOf(template, logicalId(resource));
      }
    }
    rows.set(key, { resources, roles });
  }
  return rows;
}

function roleOf(template: any, logicalId: string): RoleFootprint {
  const role = template.Resources[logicalId].Properties;
  const actions = new Set<string>();
  const addActions = (document: any) => document.Statement
    .filter((statement: any) => statement.Effect === 'Allow')
    .forEach((statement: any) => [statement.Action].flat().forEach((action: string) => actions.add(action)));
  (role.Policies ?? []).forEach((policy: any) => addActions(policy.PolicyDocument));
  Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((ref: any) => ref.Ref === logicalId))
    .forEach((policy) => addActions(policy.Properties.PolicyDocument));
  return {
    principals: [...new Set<string>(role.AssumeRolePolicyDocument.Statement
      .map((s: any) => s.Principal.Service ?? (s.Principal.AWS ? ACCOUNT : undefined)))].sort(),
    actions: [...actions].sort(),
    managedPolicies: (role.ManagedPolicyArns ?? []).map((arn: any) => JSON.stringify(arn).match(/policy\/(?:[\w-]+\/)*([\w-]+)/)![1]),
  };
}

/** What every scenario defines, by row; a row two scenarios define differently is an error. */
export function computedFootprint(): Map<string, RowFootprint> {
  const all = new Map<string, RowFootprint>();
  for (const [name, define] of Object.entries(SCENARIOS)) {
    const { stack, template } = synthesize(define);
    for (const [key, row] of footprintOf(stack, template)) {
      // The scenario's construct, and the shared pieces (what it needs is a row of its own scenario).
      const shared = (SHARED_IDS as readonly string[]).includes(key) && name !== 'MitigationEventBus';
      if (key !== name && !shared) { continue; }
      const seen = all.get(key);
      if (seen && JSON.stringify(seen) !== JSON.stringify(row)) {
        throw new Error(`${key} defines ${JSON.stringify(row)} beside ${name}, ${JSON.stringify(seen)} elsewhere: the table's row would depend on its neighbours`);
      }
      all.set(key, row);
    }
  }
  return all;
}

// ---- The README's table

/** One row of the README's table. */
export interface ReadmeRow {
  readonly key: string;
  /** The first cell: the construct, and for a shared piece the constructs that bring it. */
  readonly what: string;
  /** "Lambda: Function, 2 Permissions; IAM: Role" (`parseResources`). */
  readonly resourcesCell: string;
  readonly rolesCell: string;
}

/** The text between the footprint markers. */
export function footprintSection(readme: string): string {
  const start = readme.indexOf(MARKERS.start);
  const end = readme.indexOf(MARKERS.end);
  if (start < 0 || end < start) { throw new Error(`README.md has no ${MARKERS.start} ... ${MARKERS.end} section`); }
  return readme.slice(start + MARKERS.start.length, end);
}

export function readmeRows(section: string): ReadmeRow[] {
  return section.split('\n').filter((line) => line.startsWith('| ') && !/^\| *(Construct|-)/.test(line)).map((line) => {
    const cells = line.slice(2, -2).split(' | ');
    if (cells.length !== 3) { throw new Error(`a footprint row has 3 cells, got ${cells.length}: ${line}`); }
    const [what, resourcesCell, rolesCell] = cells;
    const key = /`([A-Za-z]+)`/.exec(what)?.[1];
    if (!key) { throw new Error(`a footprint row starts with its construct in backticks: ${line}`); }
    return { key, what, resourcesCell, rolesCell };
  });
}

/** `Lambda: Function, 2 Permissions; IAM: Role` -> { AWS::Lambda::Function: 1, AWS::Lambda::Permission: 2, AWS::IAM::Role: 1 }. */
export function parseResources(cell: string): Counts {
  const counts: Counts = {};
  for (const group of cell.split('; ')) {
    const [, service, items] = /^([A-Za-z0-9]+): (.+)$/.exec(group) ?? [];
    if (!service) { throw new Error(`resources are "Service: Type, 2 Types; Service: ...", got ${JSON.stringify(group)}`); }
    for (const item of items.split(', ')) {
      const [, count, name] = /^(?:(\d+) )?([A-Za-z0-9]+)$/.exec(item) ?? [];
      if (!name) { throw new Error(`a resource is "Type" or "<count> Types", got ${JSON.stringify(item)} in ${JSON.stringify(cell)}`); }
      const type = `${service === 'Custom' ? '' : 'AWS::'}${service}::${count ? singular(name) : name}`;
      counts[type] = (counts[type] ?? 0) + Number(count ?? 1);
    }
  }
  return counts;
}

const plural = (name: string) => (name.endsWith('y') ? `${name.slice(0, -1)}ies` : `${name}s`);
const singular = (name: string) => (name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, ''));

/** The resources cell for `counts`: by service, in the order the construct defines them. */
export function renderResources(counts: Counts): string {
  const byService = new Map<string, string[]>();
  for (const [type, count] of Object.entries(counts)) {
    const [service, name] = type.replace(/^AWS::/, '').split('::');
    byService.set(service, [...byService.get(service) ?? [], count === 1 ? name : `${count} ${plural(name)}`]);
  }
  return [...byService].map(([service, names]) => `${service}: ${names.join(', ')}`).join('; ');
}

/** A role of a roles cell: `` `HandlerRole` (Lambda): `iot:{Start,Describe}XTask`, ... `` (entries separated by `<br>`). */
export interface ReadmeRole {
  readonly id: string;
  readonly principal: string;
  readonly actions: string[];
  /** Backticked words that are not actions (managed policy names, construct ids). */
  readonly names: string[];
  /** Defers to the Permissions table (a mitigation action's role: its permissions depend on its type). */
  readonly seePermissions: boolean;
}

/** A role another AWS account may assume (a spoke's role, which the hub's account assumes). */
const ACCOUNT = 'account';
const PRINCIPALS: Record<string, string> = { 'AWS IoT': 'iot.amazonaws.com', 'Lambda': 'lambda.amazonaws.com', 'the hub\'s account': ACCOUNT };

export function parseRoles(cell: string): ReadmeRole[] {
  if (cell.trim() === 'none') { return []; }
  return cell.split('<br>').map((entry) => {
    const [, id, principal, rest] = /^`([A-Za-z0-9/]+)` \((AWS IoT|Lambda|the hub's account)\b[^)]*\): (.+)$/.exec(entry.trim()) ?? [];
    if (!id) { throw new Error(`a role is "\`Id\` (AWS IoT|Lambda|the hub's account[, for ...]): what it may do", got ${JSON.stringify(entry)}`); }
    const ticked = [...rest.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    return {
      id,
      principal: PRINCIPALS[principal],
      actions: ticked.filter((t) => /^[a-z0-9-]+:[A-Za-z0-9{},*]+$/.test(t)).flatMap(expandBraces),
      names: ticked.filter((t) => !t.includes(':')),
      seePermissions: rest.includes('](#permissions)'),
    };
  });
}

/** `iot:{Start,Describe}Task{s,}` -> iot:StartTasks, iot:StartTask, iot:DescribeTasks, iot:DescribeTask. */
export function expandBraces(pattern: string): string[] {
  const match = /\{([^{}]*)\}/.exec(pattern);
  if (!match) { return [pattern]; }
  return match[1].split(',').flatMap((choice) => expandBraces(pattern.slice(0, match.index) + choice + pattern.slice(match.index + match[0].length)));
}

/** The actions the note under the table says every Lambda role may also take (logs, traces, its dead-letter queue). */
export function plumbingActions(section: string): string[] {
  return section.split('\n').filter((line) => !line.startsWith('|'))
    .flatMap((line) => [...line.matchAll(/`([a-z0-9-]+:[A-Za-z0-9{},]+)`/g)].map((m) => m[1])).flatMap(expandBraces);
}

/** A roles cell listing every action (to be shortened by hand with `{a,b}`), for a row the table lacks. */
function renderRoles(row: RowFootprint): string {
  const entries = Object.entries(row.roles).map(([id, role]) => {
    const who = role.principals.map((p) => Object.keys(PRINCIPALS).find((k) => PRINCIPALS[k] === p) ?? p).join(', ');
    return `\`${id}\` (${who}): ${[...role.actions.map((a) => `\`${a}\``), ...role.managedPolicies.map((m) => `\`${m}\``)].join(', ')}`;
  });
  return entries.length ? entries.join('<br>') : 'none';
}

/** Rewrites README.md's table: each row's resources from synthesis; a row for each construct it lacks. */
function main(): void {
  const readme = readFileSync(README, 'utf8');
  const section = footprintSection(readme);
  const computed = computedFootprint();
  const rows = readmeRows(section);
  let updated = section;
  for (const row of rows) {
    const footprint = computed.get(row.key);
    if (!footprint) { console.error(`README row ${row.key}: no construct defines it any more; remove the row`); continue; }
    updated = updated.replace(`| ${row.what} | ${row.resourcesCell} |`, `| ${row.what} | ${renderResources(footprint.resources)} |`);
  }
  const missing = [...computed].filter(([key]) => !rows.some((row) => row.key === key));
  const lines = updated.split('\n');
  const lastRow = lines.map((line) => line.startsWith('| ')).lastIndexOf(true);
  lines.splice(lastRow + 1, 0, ...missing.map(([key, row]) => `| \`${key}\` | ${renderResources(row.resources)} | ${renderRoles(row)} |`));
  writeFileSync(README, readme.replace(section, lines.join('\n')));
  for (const [key] of missing) { console.error(`added a row for ${key}: say what brings it, and shorten its roles cell`); }
}

if (require.main === module) { main(); }
