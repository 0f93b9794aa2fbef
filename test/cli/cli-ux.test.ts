/**
 * The CLI as a user meets it: help for each command, argument errors that fit on a line, values
 * checked before anything is sent, and errors (region, credentials, AWS) that say how to fix them,
 * as text or, with --json, as one JSON object on stdout.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AUDIT, bundled, cli, e, start, useCliEmulator } from './harness';
import { DEFAULT_ACCOUNT } from '../emulator/identity';
import { MITIGATION_ACTION_TYPES } from '../emulator/iot-model';

useCliEmulator();

// Each command's own options, as its help must list them (the global ones are listed everywhere).
const COMMAND_OPTIONS: Record<string, string[]> = {
  tasks: ['--since', '--status', '--detail'],
  summary: ['--since'],
  executions: ['--action-type', '--status'],
  cancel: ['--yes', '--dry-run'],
  preview: ['--audit-task', '--template'],
  undo: ['--yes', '--dry-run', '--allow-check'],
  suppressions: [],
  suppress: ['--until', '--indefinitely', '--reason', '--yes', '--dry-run'],
  unsuppress: ['--yes', '--dry-run'],
};
const GLOBAL_OPTIONS = [
  '--region', '--profile', '--account', '--accounts', '--regions', '--all-spokes', '--registry-table', '--role-name', '--concurrency', '--json', '--help',
];

// The value sets of the AWS IoT API's enum shapes (https://docs.aws.amazon.com/iot/latest/apireference/).
const TASK_STATUSES = [
  'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED', // AuditMitigationActionsTaskStatus
  'SUCCESSFUL', // DetectMitigationActionsTaskStatus adds it
];
const EXECUTION_STATUSES = [
  'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED', 'SKIPPED', 'PENDING', // AuditMitigationActionsExecutionStatus
  'SUCCESSFUL', // DetectMitigationActionExecutionStatus adds it
];
// MitigationActionType, as the IoT emulator (which stands for AWS) lists it.
const ACTION_TYPES = [...MITIGATION_ACTION_TYPES];

const listsAll = (values: string[]) => (text: string) => values.every((v) => new RegExp(`\\b${v}\\b`).test(text));

describe('help', () => {
  const cases = Object.keys(COMMAND_OPTIONS).flatMap((command) => [[command, '--help'], [command, '-h']]);
  test.each(cases)('%s %s: the command\'s usage line, its options, the global ones and an example; exit 0, nothing sent', async (command, flag) => {
    const result = await cli(command, flag);
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^usage: cdk-device-defender ${command}\\b`));
    for (const option of [...COMMAND_OPTIONS[command], ...GLOBAL_OPTIONS]) {
      expect(result.out).toMatch(new RegExp(`^ +${option}\\b`, 'm'));
    }
    // No other command's options, and not the global help's list of commands.
    const others = Object.values(COMMAND_OPTIONS).flat().filter((o) => !COMMAND_OPTIONS[command].includes(o));
    for (const option of others) { expect(result.out).not.toMatch(new RegExp(`^ +${option}\\b`, 'm')); }
    expect(result.out).not.toMatch(/^commands:/m);
    expect(result.out).toMatch(new RegExp(`^example:\\n +cdk-device-defender ${command}\\b`, 'm'));
    expect(e.requests).toHaveLength(0);
  });

  test('--help anywhere, even beside wrong arguments, is the command\'s help', async () => {
    for (const argv of [['undo', 'task-1', '--help'], ['tasks', '--status', 'NOPE', '-h'], ['executions', '--bogus', '--help']]) {
      const result = await cli(...argv);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toMatch(new RegExp(`^usage: cdk-device-defender ${argv[0]}\\b`));
    }
  });

  test.each([['--help'], ['-h']])('%s alone: every command in one line each, the global options, and how to get a command\'s help', async (flag) => {
    const result = await cli(flag);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^usage: cdk-device-defender <command> \[options\]/);
    for (const command of Object.keys(COMMAND_OPTIONS)) { expect(result.out).toMatch(new RegExp(`^ {2}${command}\\b`, 'm')); }
    for (const option of GLOBAL_OPTIONS) { expect(result.out).toMatch(new RegExp(`^ +${option}\\b`, 'm')); }
    expect(result.out).toMatch(/cdk-device-defender <command> --help/);
  });
});

describe('argument errors: one line and where to look, exit 2, nothing sent', () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['tasks', '--bogus'], 'tasks', /^error: tasks has no option --bogus$/],
    [['tasks', '-x'], 'tasks', /^error: tasks has no option -x$/],
    [['summary', '--status', 'FAILED'], 'summary', /^error: summary has no option --status$/],
    [['tasks', '--since'], 'tasks', /^error: --since needs a value \(DURATION\)$/],
    [['tasks', '--since', '-5d'], 'tasks', /^error: --since needs a value \(DURATION\); for one that starts with "-", write --since=-5d$/],
    [['cancel', 'task-1', '--yes=no'], 'cancel', /^error: --yes takes no value$/],
    [['tasks', '--since', 'yesterday'], 'tasks', /^error: invalid duration "yesterday"/],
    [['tasks', '--status', 'NOPE'], 'tasks', /^error: --status NOPE: not a task status; use one of /],
    [['tasks', '--status', 'completed'], 'tasks', /^error: --status completed: not a task status; use one of /],
    [['executions', 'task-1', '--status', 'NOPE'], 'executions', /^error: --status NOPE: not an execution status; use one of /],
    [['executions', 'task-1', '--action-type', 'NOPE'], 'executions', /^error: --action-type NOPE: not a mitigation action type; use one of /],
    [['tasks', 'extra'], 'tasks', /^error: tasks takes no argument, got "extra"$/],
    [['undo'], 'undo', /^error: undo takes one task id, got 0$/],
    [['cancel', 'a', 'b'], 'cancel', /^error: cancel takes one task id, got 2$/],
    [['undo', 'task-1', '--allow-check', 'NOPE'], 'undo', /^error: --allow-check NOPE: undo refuses no step for this check/],
    [['preview', '--audit-task', AUDIT], 'preview', /^error: preview needs --audit-task <id> and --template <file>$/],
    [['suppress', 'finding-cert', '--reason', 'x'], 'suppress', /^error: suppress needs exactly one of --until DATE and --indefinitely$/],
    [['unsuppress'], 'unsuppress', /^error: unsuppress takes one finding id, got 0$/],
    [['tasks', '--region'], 'tasks', /^error: --region needs a value \(REGION\)$/],
    [['rollback'], '', /^error: unknown command "rollback"; the commands are tasks, summary, executions, cancel, preview, undo, suppressions, suppress, unsuppress$/],
  ];

  test.each(cases)('%j', async (argv, command, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toEqual([
      expect.stringMatching(message),
      `see \`cdk-device-defender ${command ? `${command} ` : ''}--help\``,
      '',
    ]);
    expect(e.requests).toHaveLength(0);
  });

  test.each(cases)('%j --json: one JSON object on stdout, nothing on stderr', async (argv, command, message) => {
    const result = await cli(...argv, '--json');
    expect(result.code).toBe(2);
    expect(result.err).toBe('');
    const json = result.json();
    expect(json).toEqual({
      error: { code: 'UsageError', message: expect.any(String), fix: `see \`cdk-device-defender ${command ? `${command} ` : ''}--help\`` },
    });
    expect(`error: ${json.error.message}`).toMatch(message);
    expect(e.requests).toHaveLength(0);
  });

  test.each([
    [['tasks', '--status', 'NOPE'], TASK_STATUSES],
    [['executions', 'task-1', '--status', 'NOPE'], EXECUTION_STATUSES],
    [['executions', 'task-1', '--action-type', 'NOPE'], ACTION_TYPES],
  ])('%j names every value the AWS IoT API model allows', async (argv, values) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(listsAll(values)(result.err.split('\n')[0])).toBe(true);
  });

  test('no command at all: the global help on stderr, exit 2; with --json, a JSON error', async () => {
    const bare = await cli();
    expect(bare.code).toBe(2);
    expect(bare.out).toBe('');
    expect(bare.err).toMatch(/^usage: cdk-device-defender <command>/);
    const json = await cli('--json');
    expect(json.code).toBe(2);
    expect(json.json()).toEqual({ error: { code: 'UsageError', message: 'no command given', fix: 'see `cdk-device-defender --help`' } });
  });
});

describe('values checked against what the task kind allows', () => {
  test('tasks --status SUCCESSFUL (a detect task status) lists detect tasks only and sends the audit API no status it rejects', async () => {
    await start('audit-task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    e.runAuditMitigationTask('audit-task-1');
    const result = await cli('tasks', '--status', 'SUCCESSFUL', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual([]);
    expect(e.requestsFor('ListAuditMitigationActionsTasks')).toHaveLength(0);
  });

  test('executions --status SUCCESSFUL of an audit task: the statuses an audit task\'s executions have, exit 2, no execution listed', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    const result = await cli('executions', 'task-1', '--status', 'SUCCESSFUL');
    expect(result.code).toBe(2);
    expect(result.err.split('\n')[0]).toBe('error: --status SUCCESSFUL: task-1 is an audit task; its executions are CANCELED, COMPLETED, FAILED, IN_PROGRESS, PENDING, SKIPPED');
    expect(e.requestsFor('ListAuditMitigationActionsExecutions')).toHaveLength(0);
  });
});

describe('errors from AWS: what failed and how to fix it', () => {
  test('access denied: the AWS error, then the permissions to grant; with --json one object, exit 1', async () => {
    e.injectFault({ kind: 'accessDenied403', operation: 'ListAuditMitigationActionsTasks', times: Infinity });
    const text = await cli('tasks');
    expect(text.code).toBe(1);
    expect(text.err.split('\n')).toEqual([
      'error: AccessDeniedException: User is not authorized to perform this operation (injected)',
      expect.stringMatching(/^fix: allow the caller the iot: actions this command needs \(README, Operations CLI, IAM\)/),
      '',
    ]);
    const json = await cli('tasks', '--json');
    expect(json.code).toBe(1);
    expect(json.err).toBe('');
    expect(json.json()).toEqual({ error: { code: 'AccessDeniedException', message: 'User is not authorized to perform this operation (injected)', fix: expect.stringMatching(/^allow the caller/) } });
  });

  test('an unknown task: what to run to find it; with --json a TaskNotFound object', async () => {
    const json = await cli('executions', 'no-such-task', '--json');
    expect(json.code).toBe(1);
    expect(json.json()).toEqual({
      error: { code: 'TaskNotFound', message: 'no audit or detect mitigation task no-such-task', fix: expect.stringMatching(/cdk-device-defender tasks --since 30d/) },
    });
  });

  test('a write AWS refuses: one JSON object on stdout, exit 1', async () => {
    await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'first', '--yes');
    const second = await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'second', '--yes', '--json');
    expect(second.code).toBe(1);
    expect(second.json()).toEqual({ error: { code: 'ResourceAlreadyExistsException', message: expect.any(String) } });
  });
});

describe('the bundled command: region, profile, credentials and the Node.js version', () => {
  let home: string;
  /** No region, no credentials, no shared files and no instance metadata unless a test adds them. */
  const bare = () => ({
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_IOT: e.endpoint,
  });
  const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
  const credentialOf = () => /Credential=([^/]+)\/\d+\/([^/]+)\/iot\//.exec(String(e.requests[0]?.headers.authorization))?.slice(1);
  beforeEach(() => { home = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dd-cli-')); });

  test('no region: says to set AWS_REGION or pass --region; exit 1, nothing sent', async () => {
    const result = await bundled(['tasks'], { ...bare(), ...keys });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no AWS region: none from --region, AWS_REGION or the profile "default" in .*no-config\nfix: set AWS_REGION or pass --region \(e\.g\. --region us-east-1\)\n$/);
    const json = await bundled(['tasks', '--json'], { ...bare(), ...keys });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'RegionMissing', message: expect.stringMatching(/^no AWS region/), fix: 'set AWS_REGION or pass --region (e.g. --region us-east-1)' } });
    expect(e.requests).toHaveLength(0);
  });

  test('--region is the client\'s region', async () => {
    const result = await bundled(['tasks', '--region', 'eu-west-1', '--json'], { ...bare(), ...keys });
    expect(result).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(credentialOf()).toEqual(['AKIDEXAMPLE', 'eu-west-1']);
  });

  test('--profile reads that profile\'s credentials and region from the shared files', async () => {
    fs.writeFileSync(path.join(home, 'config'), '[profile ops]\nregion = eu-central-1\n');
    fs.writeFileSync(path.join(home, 'credentials'), '[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n');
    // The emulator refuses keys nobody issued: the profile's key is one of the default account's.
    e.identities.addAccessKey({ accessKeyId: 'AKIDOPS', account: DEFAULT_ACCOUNT });
    const env = { ...bare(), AWS_CONFIG_FILE: path.join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials') };
    const result = await bundled(['tasks', '--profile', 'ops', '--json'], env);
    expect(result).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(credentialOf()).toEqual(['AKIDOPS', 'eu-central-1']);
    // --region wins over the profile's region
    e.reset();
    expect((await bundled(['tasks', '--profile', 'ops', '--region', 'ap-south-1'], env)).code).toBe(0);
    expect(credentialOf()).toEqual(['AKIDOPS', 'ap-south-1']);
  });

  test('no credentials: the sources tried, in order, and how to fix it; exit 1, nothing sent', async () => {
    const result = await bundled(['tasks', '--region', 'eu-west-1'], bare());
    expect(result.code).toBe(1);
    const [error, fix, end] = result.stderr.split('\n');
    expect(error).toBe('error: no AWS credentials for profile "default"; tried: environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), '
      + `profile "default" in ${path.join(home, 'no-credentials')} and ${path.join(home, 'no-config')} (keys, SSO, credential_process, role), `
      + 'web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), container credentials (AWS_CONTAINER_CREDENTIALS_*), '
      + 'EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED); the last said: ' + error.split('; the last said: ')[1]);
    expect(error).toMatch(/; the last said: \S.*$/);
    expect(fix).toBe('fix: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login`, or pass --profile NAME');
    expect(end).toBe('');
    expect(result.stderr).not.toMatch(/CredentialsProviderError/);
    expect(e.requests).toHaveLength(0);

    const named = await bundled(['tasks', '--region', 'eu-west-1', '--profile', 'nope', '--json'], bare());
    expect(named.code).toBe(1);
    expect(JSON.parse(named.stdout)).toEqual({
      error: {
        code: 'CredentialsMissing',
        message: expect.stringMatching(/^no AWS credentials for profile "nope" \(neither file has that profile\); tried: environment \(skipped: a profile is named\), profile "nope" in /),
        fix: 'run `aws configure --profile nope` or `aws sso login --profile nope`, or pass another --profile',
      },
    });

    // A profile that exists but holds no credentials: its region is read, the message does not say it is absent.
    fs.writeFileSync(path.join(home, 'config'), '[profile half]\nregion = eu-west-1\n');
    const half = await bundled(['tasks', '--profile', 'half'], { ...bare(), AWS_CONFIG_FILE: path.join(home, 'config') });
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/^error: no AWS credentials for profile "half"; tried: /);
    expect(e.requests).toHaveLength(0);
  });

  test('no NodeVersionSupportWarning from the AWS SDK on the Node.js versions we support (>= 20.16), with or without --help', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    // The check is only meaningful where the SDK warns: this SDK warns below Node.js 22.
    const sdk = spawnSync(process.execPath, ['-e', 'const { IoTClient } = require("@aws-sdk/client-iot"); new IoTClient({ region: "us-east-1" });'],
      { encoding: 'utf-8', env: { PATH: process.env.PATH ?? '' }, cwd: path.join(__dirname, '..', '..') });
    if (major < 22) { expect(sdk.stderr).toMatch(/NodeVersionSupportWarning/); }

    for (const args of [['--help'], ['tasks', '--help'], ['tasks', '--region', 'eu-west-1']]) {
      const result = await bundled(args, { ...bare(), ...keys });
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|Warning/);
    }
    // A user who asks for the warning keeps it.
    const asked = await bundled(['tasks', '--region', 'eu-west-1'], { ...bare(), ...keys, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    if (major < 22) { expect(asked.stderr).toMatch(/NodeVersionSupportWarning/); }
  });
});
