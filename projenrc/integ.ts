import { awscdk, DependencyType, JsonFile } from 'projen';

/**
 * Integration tests: integ-runner reads its directory and app from integ.config.json. `integ`
 * checks the snapshots without an AWS account; `integ:update` deploys each test, runs its
 * assertions and updates its snapshot (needs an account); `integ:deploy` deploys and checks every
 * test without touching the snapshots (the proof that CloudFormation accepts a template); `integ:snapshot` updates the snapshots
 * without deploying. The apps are only transpiled: the type-check step covers them.
 */
export function configureInteg(project: awscdk.AwsCdkConstructLibrary): void {
  new JsonFile(project, 'integ.config.json', {
    obj: { directory: 'integ', app: 'node -r ts-node/register {filePath}' },
    marker: false, // integ-runner refuses unknown keys, such as projen's "//" marker
  });
  // The built-in asks for the latest integ-runner and integ-tests-alpha: keep the pinned devDeps (projenrc/deps.ts).
  project.deps.removeDependency('@aws-cdk/integ-runner', DependencyType.DEVENV);
  project.deps.removeDependency('@aws-cdk/integ-tests-alpha', DependencyType.DEVENV);
  const INTEG_ENV: Record<string, string> = { TS_NODE_TRANSPILE_ONLY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const [key, value] of Object.entries(INTEG_ENV)) { project.tasks.tryFind('integ')!.env(key, value); }
  project.tasks.tryFind('integ:update')!.env('TS_NODE_TRANSPILE_ONLY', 'true');
  project.addTask('integ:deploy', {
    description: 'Deploys every integration test to the account of your AWS credentials, runs its assertions and destroys it (snapshots unchanged)',
    exec: 'integ-runner --language typescript --force',
    env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  project.addTask('integ:snapshot', {
    description: 'Updates the integration test snapshots without deploying',
    exec: 'integ-runner --language typescript --update-on-failed --dry-run --force',
    env: INTEG_ENV,
  });
}
