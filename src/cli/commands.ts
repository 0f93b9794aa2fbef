/**
 * What each command takes: its argument, its options (with the values an option allows) and the
 * words of its help. The parser (`args.ts`) and the help (`help.ts`) both read this one table.
 */
import {
  AuditMitigationActionsExecutionStatus, AuditMitigationActionsTaskStatus, DetectMitigationActionExecutionStatus,
  DetectMitigationActionsTaskStatus,
} from '@aws-sdk/client-iot';
import { parseDuration } from './output';
import {
  DEFAULT_CONCURRENCY, FAN_OUT_COMMANDS, MAX_CONCURRENCY, checkAccount, checkAccounts, checkConcurrency, checkRegions, checkRegistryTable,
  checkRoleName,
} from './spoke-options';
import { ACTION_TYPES as ACTION_TYPE_TABLE } from '../contract/action-types';
import { undoRefusedChecks } from '../contract/audit-checks';
import { DEFAULT_SPOKE_ROLE_NAME } from '../contract/organization';

/** One option: its type, its value's name in the help, and what it does. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The value's name in the help and in errors (string options), e.g. DURATION. */
  readonly value?: string;
  readonly short?: string;
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** The only values allowed, checked before anything is sent; `what` names one in the error. */
  readonly allowed?: { readonly what: string; readonly values: readonly string[] };
  /** Throws if the value is wrong (checked with the others, before anything is sent). */
  readonly check?: (value: string) => void;
  readonly help: string;
}

/** One command: its usage line, its argument, its options and the words of its help. */
export interface CommandSpec {
  /** One line for the list of commands. */
  readonly summary: string;
  /** After `cdk-device-defender `: the command, its argument and its options. */
  readonly usage: string;
  /** The one positional argument it takes, if any. */
  readonly argument?: 'task id' | 'finding id';
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs after the summary. */
  readonly notes?: readonly string[];
  readonly example: string;
}

// Value sets of the AWS IoT API's enum shapes, as the bundled @aws-sdk/client-iot exports them; sorted.
const valuesOf = (sdkEnum: Record<string, string>): readonly string[] => Object.values(sdkEnum).sort();
/** AuditMitigationActionsTaskStatus. */
export const AUDIT_TASK_STATUSES = valuesOf(AuditMitigationActionsTaskStatus);
/** DetectMitigationActionsTaskStatus. */
export const DETECT_TASK_STATUSES = valuesOf(DetectMitigationActionsTaskStatus);
/** AuditMitigationActionsExecutionStatus. */
export const AUDIT_EXECUTION_STATUSES = valuesOf(AuditMitigationActionsExecutionStatus);
/** DetectMitigationActionExecutionStatus. */
export const DETECT_EXECUTION_STATUSES = valuesOf(DetectMitigationActionExecutionStatus);
const union = (...sets: Array<readonly string[]>) => [...new Set(sets.flat())].sort();

/** The mitigation action types this library knows (an execution of any other type is listed as UNKNOWN); sorted. */
export const ACTION_TYPES: readonly string[] = Object.keys(ACTION_TYPE_TABLE).sort();

/** The checks `undo` refuses to undo a certificate deactivation for, unless `--allow-check` names them. */
export const REFUSED_CHECKS: readonly string[] = undoRefusedChecks();

const FAN_OUT = FAN_OUT_COMMANDS.join(', ');

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'region': {
    type: 'string',
    value: 'REGION',
    help: 'the AWS Region (default: AWS_REGION, else the profile\'s region); with spokes, where STS and the registry are called, and the spoke\'s region without --regions',
  },
  'profile': { type: 'string', value: 'NAME', help: 'the shared config and credentials files\' profile (default: AWS_PROFILE, else default)' },
  'account': { type: 'string', value: 'ID', check: checkAccount, help: 'act in this account (a spoke): the CLI assumes the role --role-name names there' },
  'accounts': {
    type: 'string',
    value: 'ID,ID',
    check: checkAccounts,
    help: `${FAN_OUT}: in each of these accounts, in each region of --regions; the other commands take one account`,
  },
  'regions': { type: 'string', value: 'REGION,REGION', check: checkRegions, help: `with --account(s): in each of these regions (default --region); ${FAN_OUT} only for more than one` },
  'all-spokes': { type: 'boolean', help: `${FAN_OUT}: in every spoke the hub's registry lists (--registry-table)` },
  'registry-table': { type: 'string', value: 'NAME|ARN', check: checkRegistryTable, help: 'the hub\'s registry of spokes, a DynamoDB table (a NAME is read in --region)' },
  'role-name': {
    type: 'string',
    value: 'NAME',
    check: checkRoleName,
    help: `the role assumed in each spoke is NAME-<region> (default ${DEFAULT_SPOKE_ROLE_NAME}, the spoke role, which trusts only the hub: `
      + 'give operators a role of their own, README, Operations CLI)',
  },
  'concurrency': { type: 'string', value: 'N', check: checkConcurrency, help: `spokes read at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})` },
  'json': { type: 'boolean', help: 'machine-readable output; an error is one {"error": {...}} on stdout' },
  'help': { type: 'boolean', short: 'h', help: 'this help' },
};

const SINCE: OptionSpec = {
  type: 'string', value: 'DURATION', check: parseDuration, help: 'tasks started within it: 30m, 12h, 7d (default 7d); reading outcomes costs requests per finding',
};
const YES: OptionSpec = { type: 'boolean', help: 'apply without asking (for scripts)' };
const DRY_RUN: OptionSpec = { type: 'boolean', help: 'print the plan only: write nothing, ask nothing, exit 0' };
const WRITE_NOTE = 'It prints its plan and, in a terminal, asks before writing; elsewhere it changes nothing and exits 2 '
  + 'unless --yes is given. With --dry-run (even beside --yes) it prints the plan, never asks and exits 0.';

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  tasks: {
    summary: 'audit and detect mitigation tasks: status, executions by outcome, top error code',
    usage: 'tasks [--since DURATION] [--status STATUS] [--detail]',
    options: {
      since: SINCE,
      status: {
        type: 'string',
        value: 'STATUS',
        allowed: { what: 'task status', values: union(AUDIT_TASK_STATUSES, DETECT_TASK_STATUSES) },
        help: `only tasks in this status: audit ${AUDIT_TASK_STATUSES.join(', ')}; detect ${DETECT_TASK_STATUSES.join(', ')}`,
      },
      detail: { type: 'boolean', help: 'each finished task\'s executions per action and per check, and its error codes' },
    },
    notes: ['Newest first. A finished task shows its executions by outcome; one in progress, its counts so far.'],
    example: 'cdk-device-defender tasks --since 1d --status FAILED --detail',
  },
  summary: {
    summary: 'finished tasks\' executions by check, action and outcome; tasks by status; top error codes',
    usage: 'summary [--since DURATION]',
    options: { since: SINCE },
    example: 'cdk-device-defender summary --since 30d --json',
  },
  executions: {
    summary: 'every execution of a task: finding or violation, action, status, error',
    usage: 'executions <taskId> [--action-type TYPE] [--status STATUS]',
    argument: 'task id',
    options: {
      'action-type': {
        type: 'string',
        value: 'TYPE',
        allowed: { what: 'mitigation action type', values: ACTION_TYPES },
        help: `only executions of actions of this type: ${ACTION_TYPES.join(', ')}`,
      },
      'status': {
        type: 'string',
        value: 'STATUS',
        allowed: { what: 'execution status', values: union(AUDIT_EXECUTION_STATUSES, DETECT_EXECUTION_STATUSES) },
        help: `only executions in this status: audit task ${AUDIT_EXECUTION_STATUSES.join(', ')}; detect task ${DETECT_EXECUTION_STATUSES.join(', ')}`,
      },
    },
    example: 'cdk-device-defender executions my-task-id --status FAILED',
  },
  cancel: {
    summary: 'cancel a task still in progress; say what already ran',
    usage: 'cancel <taskId> [--yes] [--dry-run]',
    argument: 'task id',
    options: { 'yes': YES, 'dry-run': DRY_RUN },
    notes: ['Executions that have not started will not run; what already ran stays applied (AWS never rolls it back).', WRITE_NOTE],
    example: 'cdk-device-defender cancel my-task-id --dry-run',
  },
  preview: {
    summary: 'what a synthesized template\'s rules would do to an audit\'s findings (starts nothing)',
    usage: 'preview --audit-task <id> --template <file>',
    options: {
      'audit-task': { type: 'string', value: 'ID', help: 'the audit task whose findings to preview' },
      'template': { type: 'string', value: 'FILE', help: 'a synthesized template with an AuditMitigation, e.g. cdk.out/MyStack.template.json' },
    },
    notes: ['Decides as the handler does, from the template\'s rules and the audit\'s counts (maxFindingsPerCheck).'],
    example: 'cdk-device-defender preview --audit-task 0123456789abcdef --template cdk.out/MyStack.template.json',
  },
  undo: {
    summary: 'reverse what can safely be reversed of a task',
    usage: 'undo <taskId> [--yes] [--dry-run] [--allow-check CHECK ...]',
    argument: 'task id',
    options: {
      'yes': YES,
      'dry-run': DRY_RUN,
      'allow-check': { type: 'string', value: 'CHECK', multiple: true, help: 'may reactivate certificates mitigated for CHECK (repeat for more)' },
    },
    notes: [
      'Judges each resource across tasks (those AWS still lists, 90 days). It refuses to reactivate a '
      + 'certificate that any finding of these checks names, in this task, another task or a current audit '
      + `(--allow-check CHECK lets one through): ${REFUSED_CHECKS.join(', ')}. The plan names the finding, its check and task.`,
      'It refuses to remove a thing from a group another audit or Detect task also added it to. AWS keeps no '
      + 'membership history: a membership added by hand before the task cannot be told apart, and every removal '
      + 'says so (NOTE; caveat in --json). It leaves alone what changed after the execution (changed-since).',
      WRITE_NOTE,
    ],
    example: 'cdk-device-defender undo my-task-id --dry-run',
  },
  suppressions: {
    summary: 'audit finding suppressions: check, resource, expiry',
    usage: 'suppressions',
    options: {},
    example: 'cdk-device-defender suppressions --json',
  },
  suppress: {
    summary: 'suppress the finding\'s check for its resource',
    usage: 'suppress <findingId> (--until DATE | --indefinitely) --reason TEXT [--yes] [--dry-run]',
    argument: 'finding id',
    options: {
      'until': { type: 'string', value: 'DATE', help: 'suppress until DATE (e.g. 2027-01-01 or 2027-01-01T12:00:00Z)' },
      'indefinitely': { type: 'boolean', help: 'suppress with no end' },
      'reason': { type: 'string', value: 'TEXT', help: 'why the risk is accepted (the suppression\'s description)' },
      'yes': YES,
      'dry-run': DRY_RUN,
    },
    notes: [WRITE_NOTE],
    example: 'cdk-device-defender suppress my-finding-id --until 2027-01-01 --reason "lab rigs share one certificate"',
  },
  unsuppress: {
    summary: 'delete the suppression of the finding\'s check and resource',
    usage: 'unsuppress <findingId> [--yes] [--dry-run]',
    argument: 'finding id',
    options: { 'yes': YES, 'dry-run': DRY_RUN },
    notes: ['Its findings will be reported and mitigated again.', WRITE_NOTE],
    example: 'cdk-device-defender unsuppress my-finding-id --dry-run',
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);
