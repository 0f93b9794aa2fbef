import { IoTClient } from '@aws-sdk/client-iot';

/** Where the CLI's AWS IoT client gets its region and credentials from, besides the SDK's defaults. */
export interface ClientOptions {
  /** --region: wins over AWS_REGION and the profile's region. */
  readonly region?: string;
  /** --profile: the shared config and credentials files' profile (credentials, SSO, region), over AWS_PROFILE. */
  readonly profile?: string;
}

/** The CLI's AWS IoT client: `--region` and `--profile` when given, else the SDK's chain. */
export function iotClient(options: ClientOptions): IoTClient {
  return new IoTClient({ region: options.region, profile: options.profile });
}

/** The oldest Node.js the package supports: package.json `engines` (a test holds them equal). */
export const MIN_NODE_VERSION = '20.16.0';

/** Whether `version` (e.g. `20.16.0`, no `v`) is one the package supports: MIN_NODE_VERSION or later. */
export function isSupportedNode(version: string): boolean {
  const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number);
  const [minMajor, minMinor, minPatch] = MIN_NODE_VERSION.split('.').map(Number);
  return major !== minMajor ? major > minMajor : minor !== minMinor ? minor > minMinor : patch >= minPatch;
}

/**
 * The AWS SDK warns (NodeVersionSupportWarning, 8 lines on stderr, on every client built on Node.js
 * before 22) that SDK versions published from January 2027 will need Node.js 22. The CLI bundles
 * its SDK when it is built, so a Node.js the package supports never meets such an SDK through it:
 * on those versions the CLI turns that one warning off, through the SDK's own switch
 * (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED), before any client is built. Other warnings
 * are untouched; on an unsupported Node.js, or when the user set the switch, the SDK decides.
 * Returns whether it turned the warning off.
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env, version: string = process.versions.node): boolean {
  if (!isSupportedNode(version) || env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) { return false; }
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return true;
}
