import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MIN_NODE_VERSION, iotClient, isSupportedNode, quietSdkNodeVersionWarning } from '../../src/cli/client';

describe('the Node.js versions the CLI supports', () => {
  test('MIN_NODE_VERSION is package.json engines.node', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(pkg.engines.node).toBe(`>= ${MIN_NODE_VERSION}`);
  });

  test.each([
    ['18.20.4', false], ['20.15.1', false], ['20.16.0', true], ['v20.16.0', true], ['20.20.2', true], ['21.0.0', true], ['22.11.0', true], ['24.0.0', true],
  ])('%s supported: %s', (version, supported) => {
    expect(isSupportedNode(version)).toBe(supported);
  });

  test('the SDK\'s NodeVersionSupportWarning is switched off only on a supported version, and never over the user\'s own setting', () => {
    const supported: NodeJS.ProcessEnv = {};
    expect(quietSdkNodeVersionWarning(supported, '20.16.0')).toBe(true);
    expect(supported).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const old: NodeJS.ProcessEnv = {};
    expect(quietSdkNodeVersionWarning(old, '20.15.0')).toBe(false);
    expect(old).toEqual({});
    const asked: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    expect(quietSdkNodeVersionWarning(asked, '22.0.0')).toBe(false);
    expect(asked).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
  });
});

describe('iotClient: --region and --profile', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dd-client-'));
    fs.writeFileSync(path.join(dir, 'config'), '[profile ops]\nregion = eu-central-1\n');
    fs.writeFileSync(path.join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n');
    for (const name of ['AWS_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) { delete process.env[name]; }
    process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
  });
  afterEach(() => { process.env = { ...saved }; });

  test('--region is the region; --profile gives the profile\'s credentials and, without --region, its region', async () => {
    expect(await iotClient({ region: 'ap-south-1' }).config.region()).toBe('ap-south-1');
    const ops = iotClient({ profile: 'ops' });
    expect(await ops.config.region()).toBe('eu-central-1');
    expect(await ops.config.credentials()).toMatchObject({ accessKeyId: 'AKIDOPS', secretAccessKey: 'ops-secret' });
    expect(await iotClient({ profile: 'ops', region: 'us-west-2' }).config.region()).toBe('us-west-2');
  });
});
