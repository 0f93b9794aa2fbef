/**
 * Which accounts and regions a command runs in, from its options alone (nothing is sent): the
 * caller's own account and region, one spoke, a list of spokes, or every spoke the hub's registry
 * lists. `tasks`, `executions` and `summary` fan out over several spokes; every other command acts
 * on one at most, and says so when asked for more.
 */
import { UsageError } from './output';
import { ACCOUNT_ID_PATTERN, DEFAULT_SPOKE_ROLE_NAME, REGION_PATTERN, SPOKE_ROLE_BASE_NAME_PATTERN } from '../contract/organization';

/** One account and region. */
export interface Spoke {
  readonly account: string;
  readonly region: string;
}

/** The first columns of a table of rows read in spokes. */
export const SPOKE_HEADERS = ['ACCOUNT', 'REGION'];
export const spokeCells = (r: Partial<Spoke>): Array<string | undefined> => [r.account, r.region];

/** The commands that read several spokes at once. */
export const FAN_OUT_COMMANDS: readonly string[] = ['tasks', 'executions', 'summary'];

/** Spokes read at once by default, and the most `--concurrency` allows. */
export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;

/** The options that choose spokes (`Values` has them all). */
export interface SpokeOptions {
  readonly 'account'?: string;
  readonly 'accounts'?: string;
  readonly 'regions'?: string;
  readonly 'all-spokes': boolean;
  readonly 'registry-table'?: string;
  readonly 'role-name'?: string;
  readonly 'concurrency'?: string;
}

/**
 * Where a command runs. `local`: with the caller's credentials in `--region` (no role assumed).
 * `list`: in each account of `accounts` and each region of `regions` (undefined: the home region,
 * `--region` or the profile's). `registry`: every spoke of the hub's registry table. In a spoke the
 * CLI assumes `<roleName>-<region>`.
 */
export type Target =
  | { readonly kind: 'local' }
  | { readonly kind: 'list'; readonly accounts: readonly string[]; readonly regions?: readonly string[]; readonly roleName: string; readonly concurrency: number }
  | { readonly kind: 'registry'; readonly table: string; readonly roleName: string; readonly concurrency: number };

/** A DynamoDB table name, or a table's ARN. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
export const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):([0-9]{12}):table\/([A-Za-z0-9_.-]{3,255})$/;

/** The values of a comma-separated list option, each checked, in order, without repeats. */
export function parseList(option: string, text: string, pattern: RegExp, what: string): string[] {
  const values = text.split(',').map((v) => v.trim());
  const bad = values.find((v) => !pattern.test(v));
  if (bad !== undefined) {
    throw new UsageError(`--${option} ${text}: ${JSON.stringify(bad)} is not ${what}; give them separated by commas`);
  }
  return [...new Set(values)];
}

/** The checks the option table runs on each value before anything is sent. */
export const checkAccounts = (text: string) => { parseList('accounts', text, ACCOUNT_ID_PATTERN, 'a 12-digit account id'); };
export const checkRegions = (text: string) => { parseList('regions', text, REGION_PATTERN, 'a region name such as eu-west-1'); };
export function checkAccount(text: string): void {
  if (!ACCOUNT_ID_PATTERN.test(text)) { throw new UsageError(`--account ${text}: not a 12-digit account id`); }
}
export function checkRoleName(text: string): void {
  if (!SPOKE_ROLE_BASE_NAME_PATTERN.test(text)) {
    throw new UsageError(`--role-name ${text}: not a role base name: 1 to 48 letters, digits or +=,.@_- (the CLI appends -<region>)`);
  }
}
export function checkConcurrency(text: string): void {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency ${text}: give a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
}
export function checkRegistryTable(text: string): void {
  if (!TABLE_NAME.test(text) && !TABLE_ARN.test(text)) {
    throw new UsageError(`--registry-table ${text}: not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -) or table ARN`);
  }
}

/**
 * Where `command` runs, from its options: throws a `UsageError` (exit 2, nothing sent) for a
 * combination that cannot be meant, an option that would be ignored, and, for a command that acts
 * on one spoke, a choice of several.
 */
export function targetOf(command: string, options: SpokeOptions): Target {
  const fail = (message: string) => { throw new UsageError(message, command); };
  const accountList = options.accounts === undefined ? undefined : parseList('accounts', options.accounts, ACCOUNT_ID_PATTERN, 'a 12-digit account id');
  const regions = options.regions === undefined ? undefined : parseList('regions', options.regions, REGION_PATTERN, 'a region name such as eu-west-1');
  if (options.account !== undefined && accountList !== undefined) { fail('give --account or --accounts, not both'); }
  const accounts = accountList ?? (options.account === undefined ? undefined : [options.account]);
  const fansOut = FAN_OUT_COMMANDS.includes(command);
  const oneSpoke = `${command} acts in one account and region: give --account ID (and --region REGION)`;

  if (options['all-spokes']) {
    if (!fansOut) { fail(`${oneSpoke}; --all-spokes is for ${FAN_OUT_COMMANDS.join(', ')}`); }
    if (accounts !== undefined || regions !== undefined) {
      fail('--all-spokes reads the accounts and regions from the hub\'s registry: leave out --account, --accounts and --regions');
    }
    if (options['registry-table'] === undefined) {
      fail('--all-spokes needs --registry-table NAME|ARN: the hub\'s registry table (with the hub\'s --region when NAME is not an ARN)');
    }
  } else if (options['registry-table'] !== undefined) {
    fail('--registry-table is read only with --all-spokes');
  }
  if (!options['all-spokes'] && accounts === undefined) {
    if (regions !== undefined) { fail('--regions needs --account ID or --accounts ID,ID (the CLI assumes a role in each account), or use --all-spokes'); }
    if (options['role-name'] !== undefined) { fail('--role-name is the role assumed in spokes: give --account, --accounts or --all-spokes with it'); }
  }
  if (!fansOut) {
    if (accounts !== undefined && accounts.length > 1) { fail(`${oneSpoke}; --accounts names ${accounts.length} (${accounts.join(', ')})`); }
    if (regions !== undefined && regions.length > 1) { fail(`${oneSpoke}; --regions names ${regions.length} (${regions.join(', ')})`); }
    if (options.concurrency !== undefined) { fail(`--concurrency is for ${FAN_OUT_COMMANDS.join(', ')} across spokes; ${command} acts in one spoke`); }
  } else if (options.concurrency !== undefined && accounts === undefined && !options['all-spokes']) {
    fail('--concurrency is the number of spokes read at once: give --accounts or --all-spokes with it');
  }

  const roleName = options['role-name'] ?? DEFAULT_SPOKE_ROLE_NAME;
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
  if (options['all-spokes']) { return { kind: 'registry', table: options['registry-table']!, roleName, concurrency }; }
  if (accounts === undefined) { return { kind: 'local' }; }
  return { kind: 'list', accounts, regions, roleName, concurrency };
}
