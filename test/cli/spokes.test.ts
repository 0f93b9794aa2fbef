/**
 * Acting in spokes (src/cli/spokes.ts) through the CLI, against the emulators with two accounts in
 * two regions: one AssumeRole per spoke, a spoke that fails reported beside the others, the hub's
 * registry, bounded concurrency, and the commands that act in one spoke only touching that one.
 */
import { BIN, bundled } from './harness';
import {
  ACCOUNT_A, ACCOUNT_B, HUB_REGION, REGISTRY_TABLE, REGIONS, SHARED_TASK, SPOKES, emulators, keyOf, registerSpokes, roleArnOf, spokeCli, taskOf,
  useSpokeEmulators,
} from './spoke-harness';
import { FAN_OUT_COMMANDS } from '../../src/cli/spoke-options';
import { SpokeSessions, acrossSpokes } from '../../src/cli/spokes';
import { partitionOf } from '../../src/contract/organization';

useSpokeEmulators();

const ALL = ['--accounts', `${ACCOUNT_A},${ACCOUNT_B}`, '--regions', REGIONS.join(',')];
const assumed = () => emulators.sts.requestsFor('AssumeRole').map((r) => r.params.RoleArn);
const nothingSent = () => {
  expect(emulators.sts.requests).toEqual([]);
  expect(emulators.iot.requests).toEqual([]);
  expect(emulators.dynamodb.requests).toEqual([]);
};

describe('fan-out: one AssumeRole per spoke, each spoke read with its own role in its own region', () => {
  test('tasks across 2 accounts x 2 regions lists exactly each spoke\'s tasks with its account and region', async () => {
    const result = await spokeCli(['tasks', ...ALL, '--json']);
    expect(result.code).toBe(0);
    const { tasks, failedSpokes } = result.json();
    expect(failedSpokes).toEqual([]);
    const listed = tasks.map((t: any) => `${t.account} ${t.region} ${t.taskId} ${t.status}`).sort();
    expect(listed).toEqual(SPOKES.flatMap((s) => [`${s.account} ${s.region} ${SHARED_TASK} IN_PROGRESS`, `${s.account} ${s.region} ${taskOf(s)} COMPLETED`]).sort());
    // One AssumeRole per spoke, for that spoke's role, whatever the number of IoT calls.
    expect(assumed().sort()).toEqual(SPOKES.map((s) => roleArnOf(s)).sort());
    expect(emulators.sts.sessions.map((s) => s.roleSessionName)).toEqual(Array(4).fill('cdk-device-defender-cli'));
    // Each spoke's IoT calls went to its account and region, with its role's session.
    for (const spoke of SPOKES) {
      const calls = emulators.iot.requests.filter((r) => r.account === spoke.account && r.region === spoke.region);
      expect(calls.length).toBeGreaterThan(0);
      expect(new Set(calls.map((r) => r.principalArn))).toEqual(new Set([expect.stringContaining(`assumed-role/${roleArnOf(spoke).split('/')[1]}/`)]));
    }
    expect(emulators.iot.requests.filter((r) => r.account === '123456789012')).toEqual([]);
  });

  test('one spoke\'s AssumeRole refused (AccessDenied): reported with its fix, the others still listed; exit 1', async () => {
    const denied = SPOKES[3];
    emulators.sts.reset();
    for (const spoke of SPOKES.slice(0, 3)) { emulators.sts.addRole(roleArnOf(spoke), { trustedPrincipalArns: ['arn:aws:iam::123456789012:user/emulator'] }); }
    const result = await spokeCli(['tasks', ...ALL, '--json']);
    expect(result.code).toBe(1);
    const { tasks, failedSpokes } = result.json();
    expect(new Set(tasks.map((t: any) => `${t.account} ${t.region}`))).toEqual(new Set(SPOKES.slice(0, 3).map((s) => `${s.account} ${s.region}`)));
    expect(failedSpokes).toEqual([{
      account: denied.account,
      region: denied.region,
      code: 'AccessDenied',
      message: expect.stringMatching(new RegExp(`^cannot assume ${roleArnOf(denied)}: `)),
      fix: expect.stringMatching(/^the role must exist and trust the caller, and the caller must be allowed sts:AssumeRole on it; --role-name NAME/),
    }]);
    expect(emulators.iot.requests.filter((r) => r.account === denied.account && r.region === denied.region)).toEqual([]);
  });

  test('throttling that outlasts the SDK\'s retries in one spoke is reported there; the others are listed (text: failures after the table)', async () => {
    const throttled = SPOKES[1];
    emulators.iot.injectFault({ kind: 'throttlingException', account: throttled.account, region: throttled.region, times: Infinity });
    const result = await spokeCli(['tasks', ...ALL]);
    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT +REGION +KIND +TASK +STATUS/);
    for (const spoke of SPOKES.filter((s) => s !== throttled)) {
      expect(result.out).toMatch(new RegExp(`^${spoke.account} +${spoke.region} +audit +${taskOf(spoke)} +COMPLETED`, 'm'));
    }
    expect(result.out).not.toMatch(new RegExp(`^${throttled.account} +${throttled.region} `, 'm'));
    expect(result.out).toMatch(new RegExp(`^1 spoke\\(s\\) failed \\(their tasks are not listed\\):\\n  ${throttled.account} ${throttled.region}: ThrottlingException: `, 'm'));
    expect(result.err).toBe('error: 1 of 4 spokes failed (listed above)\n');
    // The SDK retried (3 attempts) before the spoke was reported.
    expect(emulators.iot.requests.filter((r) => r.account === throttled.account && r.region === throttled.region)).toHaveLength(3);
  });

  test('AccessDenied from AWS IoT in a spoke names the role to grant', async () => {
    const spoke = SPOKES[2];
    emulators.iot.injectFault({ kind: 'accessDenied403', account: spoke.account, region: spoke.region, times: Infinity });
    const result = await spokeCli(['tasks', ...ALL, '--json']);
    expect(result.code).toBe(1);
    expect(result.json().failedSpokes).toEqual([expect.objectContaining({
      account: spoke.account,
      region: spoke.region,
      code: 'AccessDeniedException',
      fix: `allow the role ${roleArnOf(spoke)} the iot: actions this command needs (README, Operations CLI, IAM), or pass another --role-name`,
    })]);
  });

  test('--role-name NAME assumes NAME-<region>; without --regions the spokes are in --region', async () => {
    emulators.sts.addRole(roleArnOf({ account: ACCOUNT_A, region: 'us-east-1' }, 'ops'), { trustedPrincipalArns: ['123456789012'] });
    const result = await spokeCli(['tasks', '--account', ACCOUNT_A, '--region', 'us-east-1', '--role-name', 'ops', '--json']);
    expect(result.code).toBe(0);
    expect(assumed()).toEqual([`arn:aws:iam::${ACCOUNT_A}:role/ops-us-east-1`]);
    expect(new Set(result.json().tasks.map((t: any) => `${t.account} ${t.region}`))).toEqual(new Set([`${ACCOUNT_A} us-east-1`]));
    // STS was called in --region, the caller's home region.
    expect(emulators.sts.requests.map((r) => r.region)).toEqual(['us-east-1']);
  });

  test.each(FAN_OUT_COMMANDS)('%s: no region anywhere is the usual RegionMissing, before any spoke', async (command) => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const result = await spokeCli([command, ...(command === 'executions' ? ['task-1'] : []), '--accounts', ACCOUNT_A, '--json']);
      expect(result.code).toBe(1);
      expect(result.json().error.code).toBe('RegionMissing');
      nothingSent();
    } finally {
      process.env.AWS_REGION = saved;
    }
  });
});

describe('--all-spokes reads the hub\'s registry', () => {
  test('lists the registry\'s spokes, and only them (one Scan, in the hub\'s region)', async () => {
    registerSpokes([keyOf(SPOKES[0]), keyOf(SPOKES[3]), keyOf(SPOKES[2])]);
    const result = await spokeCli(['tasks', '--all-spokes', '--registry-table', REGISTRY_TABLE, '--json']);
    expect(result.code).toBe(0);
    const read = new Set(result.json().tasks.map((t: any) => `${t.account}/${t.region}`));
    expect(read).toEqual(new Set([keyOf(SPOKES[0]), keyOf(SPOKES[2]), keyOf(SPOKES[3])]));
    expect(assumed().sort()).toEqual([SPOKES[0], SPOKES[2], SPOKES[3]].map((s) => roleArnOf(s)).sort());
    expect(emulators.dynamodb.requests.map((r) => `${r.operation} ${r.account} ${r.region}`)).toEqual([`Scan 123456789012 ${HUB_REGION}`]);
  });

  test('a table ARN is read in its own region, whatever --region says', async () => {
    registerSpokes([keyOf(SPOKES[1])]);
    const arn = `arn:aws:dynamodb:${HUB_REGION}:123456789012:table/${REGISTRY_TABLE}`;
    const result = await spokeCli(['summary', '--all-spokes', '--registry-table', arn, '--region', 'us-east-1', '--json']);
    expect(result.code).toBe(0);
    expect(result.json().bySpoke.map((s: any) => `${s.account}/${s.region}`)).toEqual([keyOf(SPOKES[1])]);
    expect(emulators.dynamodb.requests.map((r) => r.region)).toEqual([HUB_REGION]);
  });

  test('reads every page of a registry larger than one Scan page', async () => {
    registerSpokes([]);
    // 1 MB pages: 200 items of 6 KB take more than one.
    for (let i = 0; i < 200; i++) {
      emulators.dynamodb.putItem(REGISTRY_TABLE, { spoke: { S: `3333333${String(i).padStart(5, '0')}/${HUB_REGION}` }, note: { S: 'x'.repeat(6000) } });
    }
    const sessions = await SpokeSessions.open({}, 'ops');
    const { spokes, failures } = await sessions.spokesOf({ kind: 'registry', table: REGISTRY_TABLE, roleName: 'ops', concurrency: 8 });
    expect(failures).toEqual([]);
    expect(spokes).toHaveLength(200);
    expect(emulators.dynamodb.requestsFor('Scan').length).toBeGreaterThan(1);
  });

  test('an item that is not <account>/<region> is reported, not skipped; the others are read', async () => {
    registerSpokes([keyOf(SPOKES[0]), 'not-a-spoke']);
    const result = await spokeCli(['tasks', '--all-spokes', '--registry-table', REGISTRY_TABLE, '--json']);
    expect(result.code).toBe(1);
    expect(result.json().failedSpokes).toEqual([expect.objectContaining({ account: 'not-a-spoke', code: 'InvalidRegistryItem' })]);
    expect(new Set(result.json().tasks.map((t: any) => t.account))).toEqual(new Set([ACCOUNT_A]));
  });

  test('a table that does not exist, and an empty registry, fail the command with the fix', async () => {
    const missing = await spokeCli(['tasks', '--all-spokes', '--registry-table', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json().error).toEqual({
      code: 'RegistryNotFound',
      message: expect.stringMatching(/^cannot read the hub's registry nope in eu-west-1: /),
      fix: 'pass the hub\'s registry table: --registry-table NAME with the hub\'s --region, or its ARN',
    });
    registerSpokes([]);
    const empty = await spokeCli(['tasks', '--all-spokes', '--registry-table', REGISTRY_TABLE]);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/^error: the hub's registry cdk-device-defender-hub-registry in eu-west-1 lists no spoke\nfix: /);
    expect(emulators.sts.requests).toEqual([]);
  });
});

describe('bounded concurrency', () => {
  test.each([1, 3, 8])('at most --concurrency %i spokes at once, every spoke once', async (concurrency) => {
    const sessions = await SpokeSessions.open({}, 'cdk-device-defender-spoke');
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const { done, failures } = await acrossSpokes(sessions, SPOKES, { concurrency, context: {} }, async (_iot, spoke) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Hold each spoke until as many run as may (the bound, or the spokes left), so the peak does
      // not depend on how fast this machine answers the AssumeRoles before each spoke starts.
      while (inFlight < Math.min(concurrency, SPOKES.length - seen.length)) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      inFlight -= 1;
      seen.push(keyOf(spoke));
      return keyOf(spoke);
    });
    expect(failures).toEqual([]);
    expect(most).toBe(Math.min(concurrency, SPOKES.length));
    expect(seen.sort()).toEqual(SPOKES.map(keyOf).sort());
    // Results keep the spokes' order, whatever order they finished in.
    expect(done.map((d) => d.value)).toEqual(SPOKES.map(keyOf));
  });
});

describe('the commands that act in one spoke', () => {
  test('cancel --account --region cancels in that spoke only; the same task id elsewhere is untouched', async () => {
    const target = SPOKES[3];
    const result = await spokeCli(['cancel', SHARED_TASK, '--account', target.account, '--region', target.region, '--yes']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^cancelled audit task ${SHARED_TASK}$`, 'm'));
    expect(result.err).toBe(`in account ${target.account}, region ${target.region}, as ${roleArnOf(target)}\n`);
    expect(assumed()).toEqual([roleArnOf(target)]);
    for (const spoke of SPOKES) {
      const status = emulators.iot.at(spoke).auditMitigationTasks().find((t) => t.taskId === SHARED_TASK)?.taskStatus;
      expect([keyOf(spoke), status]).toEqual([keyOf(spoke), spoke === target ? 'CANCELED' : 'IN_PROGRESS']);
    }
    const writes = emulators.iot.requests.filter((r) => r.operation.startsWith('Cancel'));
    expect(writes.map((r) => `${r.operation} ${r.account} ${r.region}`)).toEqual([`CancelAuditMitigationActionsTask ${target.account} ${target.region}`]);
    expect(emulators.iot.requests.filter((r) => r.account !== target.account || r.region !== target.region)).toEqual([]);
  });

  test('--accounts and --regions naming one each are one spoke too; --dry-run still comes first', async () => {
    const target = SPOKES[0];
    const result = await spokeCli(['cancel', SHARED_TASK, '--accounts', target.account, '--regions', target.region, '--yes', '--dry-run', '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ cancelled: false, reason: `dry run: would cancel audit task ${SHARED_TASK}` });
    expect(emulators.iot.requests.filter((r) => r.operation.startsWith('Cancel'))).toEqual([]);
    expect(assumed()).toEqual([roleArnOf(target)]);
  });

  test('suppress in one spoke writes the suppression there only', async () => {
    const target = SPOKES[1];
    const findingId = `finding-${target.account}-${target.region}`;
    const result = await spokeCli(['suppress', findingId, '--indefinitely', '--reason', 'lab', '--account', target.account, '--region', target.region, '--yes']);
    expect(result.code).toBe(0);
    for (const spoke of SPOKES) {
      expect([keyOf(spoke), emulators.iot.at(spoke).auditSuppressions().length]).toEqual([keyOf(spoke), spoke === target ? 1 : 0]);
    }
  });

  test('a role the caller may not assume fails the command (exit 1) with the fix, nothing written', async () => {
    const result = await spokeCli(['undo', SHARED_TASK, '--account', ACCOUNT_A, '--region', 'us-east-1', '--role-name', 'missing', '--json']);
    expect(result.code).toBe(1);
    expect(result.json().error).toMatchObject({ code: 'AccessDenied', message: expect.stringMatching(/^cannot assume arn:aws:iam::111111111111:role\/missing-us-east-1: /) });
    expect(emulators.iot.requests).toEqual([]);
  });
});

test('partitionOf: the role ARN\'s partition from the region', () => {
  expect(['eu-west-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eusc-de-east-1'].map(partitionOf))
    .toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-eusc']);
});

test('the bundled command fans out too (its SDK bundles STS and DynamoDB), and its help lists the spoke options', async () => {
  const env = {
    AWS_ENDPOINT_URL_IOT: emulators.iot.endpoint,
    AWS_ENDPOINT_URL_STS: emulators.sts.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodb.endpoint,
    AWS_REGION: HUB_REGION,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  registerSpokes(SPOKES.map(keyOf));
  const result = await bundled(['summary', '--all-spokes', '--registry-table', REGISTRY_TABLE, '--json'], env);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(result.stdout).bySpoke.map((s: any) => `${s.account}/${s.region}`)).toEqual(SPOKES.map(keyOf).sort());
  const help = await bundled(['--help'], env);
  expect(help.code).toBe(0);
  for (const option of ['--account', '--accounts', '--regions', '--all-spokes', '--registry-table', '--role-name', '--concurrency']) {
    expect(help.stdout).toMatch(new RegExp(`^ +${option}\\b`, 'm'));
  }
  expect(BIN).toMatch(/assets\/cli\/cdk-device-defender\.js$/);
});
