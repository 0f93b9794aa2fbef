/**
 * Which accounts and regions a command runs in (src/cli/spoke-options.ts): the targets its options
 * name, and the refusals (exit 2, nothing sent to STS, DynamoDB or AWS IoT), end to end against
 * the emulators.
 */
import { ACCOUNT_A, ACCOUNT_B, REGIONS, emulators, spokeCli, useSpokeEmulators } from './spoke-harness';
import { DEFAULT_CONCURRENCY, targetOf } from '../../src/cli/spoke-options';

useSpokeEmulators();

const nothingSent = () => {
  expect(emulators.sts.requests).toEqual([]);
  expect(emulators.iot.requests).toEqual([]);
  expect(emulators.dynamodb.requests).toEqual([]);
};
const none = { 'all-spokes': false };

describe('targetOf', () => {
  test('no spoke option: the caller\'s own account and region, no role', () => {
    expect(targetOf('tasks', none)).toEqual({ kind: 'local' });
    expect(targetOf('cancel', none)).toEqual({ kind: 'local' });
  });

  test('--accounts and --regions: each account in each region, in order, repeats dropped; the default role and concurrency', () => {
    expect(targetOf('tasks', { ...none, accounts: `${ACCOUNT_B}, ${ACCOUNT_A},${ACCOUNT_B}`, regions: 'us-east-1,eu-west-1' })).toEqual({
      kind: 'list', accounts: [ACCOUNT_B, ACCOUNT_A], regions: ['us-east-1', 'eu-west-1'], roleName: 'cdk-device-defender-spoke', concurrency: DEFAULT_CONCURRENCY,
    });
  });

  test('--account without --regions: that account in the home region (resolved later)', () => {
    expect(targetOf('undo', { ...none, 'account': ACCOUNT_A, 'role-name': 'ops' })).toEqual({
      kind: 'list', accounts: [ACCOUNT_A], regions: undefined, roleName: 'ops', concurrency: DEFAULT_CONCURRENCY,
    });
  });

  test('--all-spokes: the registry table, --concurrency', () => {
    expect(targetOf('summary', { 'all-spokes': true, 'registry-table': 'hub', 'concurrency': '32' })).toEqual({
      kind: 'registry', table: 'hub', roleName: 'cdk-device-defender-spoke', concurrency: 32,
    });
  });
});

describe('refusals: exit 2, one line naming what to give instead, nothing sent', () => {
  const cases: Array<[string[], RegExp]> = [
    [['cancel', 't', '--accounts', `${ACCOUNT_A},${ACCOUNT_B}`], /^cancel acts in one account and region: give --account ID \(and --region REGION\); --accounts names 2 \(111111111111, 222222222222\)$/],
    [['undo', 't', '--account', ACCOUNT_A, '--regions', REGIONS.join(',')], /^undo acts in one account and region: .*; --regions names 2 \(eu-west-1, us-east-1\)$/],
    [['suppress', 'f', '--indefinitely', '--reason', 'r', '--all-spokes', '--registry-table', 'hub'], /^suppress acts in one account and region: .*; --all-spokes is for tasks, executions, summary$/],
    [['unsuppress', 'f', '--all-spokes', '--registry-table', 'hub'], /^unsuppress acts in one account and region: /],
    [['cancel', 't', '--account', ACCOUNT_A, '--concurrency', '4'], /^--concurrency is for tasks, executions, summary across spokes; cancel acts in one spoke$/],
    [['tasks', '--regions', REGIONS.join(',')], /^--regions needs --account ID or --accounts ID,ID/],
    [['tasks', '--all-spokes'], /^--all-spokes needs --registry-table NAME\|ARN/],
    [['tasks', '--registry-table', 'hub'], /^--registry-table is read only with --all-spokes$/],
    [['tasks', '--all-spokes', '--registry-table', 'hub', '--accounts', ACCOUNT_A], /^--all-spokes reads the accounts and regions from the hub's registry/],
    [['tasks', '--account', ACCOUNT_A, '--accounts', ACCOUNT_B], /^give --account or --accounts, not both$/],
    [['tasks', '--role-name', 'ops'], /^--role-name is the role assumed in spokes/],
    [['summary', '--concurrency', '4'], /^--concurrency is the number of spokes read at once/],
    [['tasks', '--accounts', `${ACCOUNT_A},12345`], /^--accounts 111111111111,12345: "12345" is not a 12-digit account id/],
    [['tasks', '--accounts', ACCOUNT_A, '--regions', 'eu-west-1,Mars'], /^--regions eu-west-1,Mars: "Mars" is not a region name/],
    [['cancel', 't', '--account', 'A'], /^--account A: not a 12-digit account id$/],
    [['tasks', '--accounts', ACCOUNT_A, '--concurrency', '0'], /^--concurrency 0: give a whole number from 1 to 32$/],
    [['tasks', '--accounts', ACCOUNT_A, '--concurrency', '33'], /^--concurrency 33: give a whole number from 1 to 32$/],
    [['tasks', '--accounts', ACCOUNT_A, '--role-name', 'x'.repeat(49)], /^--role-name x+: not a role base name/],
    [['tasks', '--all-spokes', '--registry-table', 'a b'], /^--registry-table a b: not a DynamoDB table name/],
  ];
  test.each(cases)('%j', async (argv, message) => {
    const result = await spokeCli(argv);
    expect(result.code).toBe(2);
    const [line, help] = result.err.split('\n');
    expect(line.replace(/^error: /, '')).toMatch(message);
    expect(help).toMatch(/^see `cdk-device-defender \w+ --help`$/);
    nothingSent();
  });
});
