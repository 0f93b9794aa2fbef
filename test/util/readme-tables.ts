/**
 * The README's tables of action types and audit checks, rendered from the library's tables: the
 * contract's (src/contract/audit-checks.ts, src/contract/action-types.ts) and the constructs'
 * (src/private/action-types.ts: factories and role statements). test/util/readme-tables.test.ts checks
 * README.md against them; `npx ts-node --transpile-only --project tsconfig.dev.json test/util/readme-tables.ts`
 * rewrites each table between its markers (`<!-- table:<name>:start -->` ... `<!-- table:<name>:end -->`).
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { AuditCheck } from '../../src/audit-check';
import { ACTION_TYPES as CONTRACT, UndoRule } from '../../src/contract/action-types';
import { AUDIT_CHECKS } from '../../src/contract/audit-checks';
import { MitigationActionType } from '../../src/mitigation-action-type';
import { ACTION_TYPES, GivenValue, ResourceSpec, StatementSpec } from '../../src/private/action-types';

export const README = join(__dirname, '..', '..', 'README.md');

const TYPES = Object.values(MitigationActionType);
const CHECKS = Object.values(AuditCheck);

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: string[][]): string[] => [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)];

/** The factory of each type and what AWS IoT does. */
function factories(): string[] {
  return table(['Factory', 'Action type', 'What AWS IoT does'],
    TYPES.map((type) => [`\`${ACTION_TYPES[type].factory}\``, type, ACTION_TYPES[type].effect]));
}

/**
 * The types each check accepts besides PUBLISH_FINDING_TO_SNS (which the prose above the table says
 * every check accepts): one row per set of types, checks in the enum's order, rows in the order of
 * their first check, the checks that accept nothing else last. Then the types Detect accepts.
 */
function checkActions(): string[] {
  const rows = new Map<string, AuditCheck[]>();
  for (const check of CHECKS) {
    const types = AUDIT_CHECKS[check].actionTypes;
    if (!types.includes(MitigationActionType.PUBLISH_FINDING_TO_SNS)) {
      throw new Error(`${check} does not accept PUBLISH_FINDING_TO_SNS: the README's sentence above the table is wrong`);
    }
    const others = types.filter((type) => type !== MitigationActionType.PUBLISH_FINDING_TO_SNS).join(', ') || 'nothing else';
    rows.set(others, [...rows.get(others) ?? [], check]);
  }
  const ordered = [...rows].sort(([a], [b]) => Number(a === 'nothing else') - Number(b === 'nothing else'));
  const detect = TYPES.filter((type) => CONTRACT[type].detect);
  return [
    ...table(['Audit checks (`AuditCheck`)', 'Also accept'], ordered.map(([others, checks]) => [checks.join(', '), others])),
    '',
    `Detect alarms accept ${detect.join(' and ')} only.`,
  ];
}

/** What undo does, in the README's words, for each kind of rule. */
const UNDO_WORDS: Record<UndoRule['kind'], string> = {
  'reactivate-certificate': 'reactivates it if still INACTIVE, unchanged since, and no finding refuses it (below)',
  'remove-things-from-groups': 'removes the things from the action\'s groups they are still in, unless another task also added them',
  'restore-default-policy-version': 'if the default is still the blank version it created: restores the finding\'s version, deletes that one',
  'cannot-undo': '`cannot-undo`',
};

/** One row per kind of undo rule, in the order of `UNDO_WORDS`, its types in the enum's order. */
function undo(): string[] {
  return table(['Action', 'Undo'], (Object.keys(UNDO_WORDS) as Array<UndoRule['kind']>)
    .map((kind) => [TYPES.filter((type) => CONTRACT[type].undo.kind === kind), UNDO_WORDS[kind]] as const)
    .filter(([types]) => types.length > 0)
    .map(([types, words]) => [types.join(', '), words]));
}

/** A value the factory gives, in the README's words. */
const GIVEN_WORDS: Record<GivenValue, string> = {
  thingGroups: 'the groups',
  loggingRole: 'the logging role',
  topic: 'the topic',
  topicKey: 'its key',
  snsService: 'SNS',
};

function resourceWords(resource: ResourceSpec): string {
  switch (resource.kind) {
    case 'iot': return `\`${resource.resourceType}/*\``;
    case 'any': return '`*`';
    case 'given': return GIVEN_WORDS[resource.value];
  }
}

/** A statement's condition, in the README's words: the keys it uses are the only ones it knows. */
function conditionWords(key: string, value: string | { readonly given: GivenValue }): string {
  const words = typeof value === 'string' ? `\`${value}\`` : GIVEN_WORDS[value.given];
  switch (key) {
    case 'iam:PassedToService': return `to ${words} only`;
    case 'kms:ViaService': return `via ${words} only`;
    default: throw new Error(`no README words for the condition key ${key}: add them to test/util/readme-tables.ts`);
  }
}

function statementResources(statement: StatementSpec): string {
  const conditions = Object.values(statement.conditions ?? {})
    .flatMap((keys) => Object.entries(keys).map(([key, value]) => conditionWords(key, value)));
  return [statement.resources.map(resourceWords).join(' and '), ...statement.onlyWith ? ['when visible'] : [], ...conditions].join(', ');
}

/** The role statements of each type: actions, and resources with their conditions. */
function permissions(): string[] {
  return table(['Action type', 'Permissions', 'Resources'], TYPES.map((type) => [
    type,
    ACTION_TYPES[type].statements.map((s) => s.actions.map((a) => `\`${a}\``).join(', ')).join('; '),
    ACTION_TYPES[type].statements.map(statementResources).join('; '),
  ]));
}

/** Each table the README holds between its markers, by name. */
export const TABLES: Readonly<Record<string, () => string[]>> = {
  'action-factories': factories,
  'check-actions': checkActions,
  'undo': undo,
  'permissions': permissions,
};

export const markers = (name: string) => ({ start: `<!-- table:${name}:start -->`, end: `<!-- table:${name}:end -->` });

/** Where a table's text is: between its markers, without the newlines next to them. */
function tableBounds(readme: string, name: string): { from: number; to: number } {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) { throw new Error(`README.md has no ${start} ... ${end} section`); }
  return { from: from + start.length + 1, to: to - 1 };
}

/** The text between a table's markers (without the newlines next to them). */
export function readmeTable(readme: string, name: string): string {
  const { from, to } = tableBounds(readme, name);
  return readme.slice(from, Math.max(from, to));
}

/** The rendered text of a table. */
export function renderTable(name: string): string {
  return TABLES[name]().join('\n');
}

/** How many audit checks the README's example says an AuditConfiguration enables by default. */
export const ALL_CHECKS_COMMENT = `// default: all ${CHECKS.length}`;

/** Rewrites each table of README.md between its markers. */
function main(): void {
  let readme = readFileSync(README, 'utf8');
  for (const name of Object.keys(TABLES)) {
    const { from, to } = tableBounds(readme, name);
    readme = `${readme.slice(0, from)}${renderTable(name)}${readme.slice(Math.max(from, to))}`;
  }
  readme = readme.replace(/\/\/ default: all \d+/g, ALL_CHECKS_COMMENT);
  writeFileSync(README, readme);
}

if (require.main === module) { main(); }
