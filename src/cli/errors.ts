import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Io, UsageError } from './output';
import { errorMessage, errorName } from '../handlers/shared/errors';

/** A failure the CLI names itself: a code for scripts, and the fix. */
export class CliError extends Error {
  constructor(public readonly code: string, message: string, public readonly fix?: string) {
    super(message);
    this.name = code;
  }
}

/** How a command failed: `code` and `message` (and `fix` when there is one) for people and for --json. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
  /** 2 for wrong arguments, 1 for everything else. */
  readonly exitCode: number;
  /** The error's line as text (AWS errors keep their name in front, as the SDK names them). */
  readonly line: string;
}

/** What the failure's words may name: the command (for its help), the profile asked for, and the spoke role the command acts with. */
export interface FailureContext {
  readonly command?: string;
  readonly profile?: string;
  /** The role assumed in a spoke: the one to grant what was denied. */
  readonly role?: string;
}

// AWS answers these when the caller may not call the operation.
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedException', 'ForbiddenException']);
// And these when it does not accept the credentials themselves.
const CREDENTIALS_REFUSED = new Set([
  'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'ExpiredToken', 'InvalidSignatureException', 'SignatureDoesNotMatch',
]);

/** A thrown error as a failure: its code, its message and, for the failures the CLI knows, how to fix it. */
export function failureOf(error: unknown, context: FailureContext): Failure {
  if (error instanceof UsageError) {
    const command = error.command ?? context.command;
    return { code: 'UsageError', message: error.message, fix: `see \`cdk-device-defender ${command ? `${command} ` : ''}--help\``, exitCode: 2, line: error.message };
  }
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, fix: error.fix, exitCode: 1, line: error.message };
  }
  const name = errorName(error);
  const message = errorMessage(error);
  const profile = profileOf(context);
  if (message === 'Region is missing') {
    const failure = regionMissing(profile);
    return { ...failure, exitCode: 1, line: failure.message };
  }
  if (name === 'CredentialsProviderError') {
    const failure = credentialsMissing(profile, context.profile !== undefined || Boolean(process.env.AWS_PROFILE), message);
    return { ...failure, exitCode: 1, line: failure.message };
  }
  let fix: string | undefined;
  if (ACCESS_DENIED.has(name)) {
    fix = context.role
      ? `allow the role ${context.role} the iot: actions this command needs (README, Operations CLI, IAM), or pass another --role-name`
      : 'allow the caller the iot: actions this command needs (README, Operations CLI, IAM), or pass another --profile';
  } else if (CREDENTIALS_REFUSED.has(name)) {
    fix = `AWS refused the credentials of profile "${profile.name}": refresh them (\`aws sso login\`, new keys) or pass another --profile`;
  }
  return { code: name, message, fix, exitCode: 1, line: `${name}: ${message}` };
}

/** Prints a failure: as text on stderr (the error, then the fix), or with --json as one object on stdout. */
export function printFailure(io: Io, json: boolean, failure: Failure): void {
  if (json) {
    io.out(JSON.stringify({ error: { code: failure.code, message: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) } }));
    return;
  }
  const fix = failure.fix ? (failure.code === 'UsageError' ? `${failure.fix}\n` : `fix: ${failure.fix}\n`) : '';
  io.err(`error: ${failure.line}\n${fix}`);
}

/** The profile the SDK reads, and the shared files it reads it from. */
function profileOf(context: FailureContext) {
  const env = process.env;
  const aws = (file: string) => path.join(os.homedir(), '.aws', file);
  return {
    name: context.profile ?? (env.AWS_PROFILE || 'default'),
    configFile: env.AWS_CONFIG_FILE ?? aws('config'),
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE ?? aws('credentials'),
  };
}

function regionMissing(profile: ReturnType<typeof profileOf>) {
  return {
    code: 'RegionMissing',
    message: `no AWS region: none from --region, AWS_REGION or the profile "${profile.name}" in ${profile.configFile}`,
    fix: 'set AWS_REGION or pass --region (e.g. --region us-east-1)',
  };
}

/** The sources the SDK's default chain tried, in its order (@aws-sdk/credential-provider-node), and what to do. */
function credentialsMissing(profile: ReturnType<typeof profileOf>, profileNamed: boolean, sdkMessage: string) {
  const env = process.env;
  const imdsDisabled = env.AWS_EC2_METADATA_DISABLED !== undefined && env.AWS_EC2_METADATA_DISABLED !== 'false';
  const tried = [
    profileNamed ? 'environment (skipped: a profile is named)' : 'environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    `profile "${profile.name}" in ${profile.credentialsFile} and ${profile.configFile} (keys, SSO, credential_process, role)`,
    'web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)',
    'container credentials (AWS_CONTAINER_CREDENTIALS_*)',
    `EC2 instance metadata${imdsDisabled ? ' (disabled by AWS_EC2_METADATA_DISABLED)' : ''}`,
  ];
  const absent = profileNamed && !hasProfile(profile) ? ' (neither file has that profile)' : '';
  return {
    code: 'CredentialsMissing',
    message: `no AWS credentials for profile "${profile.name}"${absent}; tried: ${tried.join(', ')}; the last said: ${sdkMessage}`,
    fix: profileNamed
      ? `run \`aws configure --profile ${profile.name}\` or \`aws sso login --profile ${profile.name}\`, or pass another --profile`
      : 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login`, or pass --profile NAME',
  };
}

/** Whether either shared file has a section for the profile (`[name]`, or `[profile name]` in the config file). */
function hasProfile(profile: ReturnType<typeof profileOf>): boolean {
  const escaped = profile.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const section = new RegExp(`^\\s*\\[\\s*(profile\\s+)?${escaped}\\s*\\]`, 'm');
  return [profile.credentialsFile, profile.configFile].some((file) => {
    try {
      return section.test(fs.readFileSync(file, 'utf-8'));
    } catch {
      return false;
    }
  });
}
