import { awscdk, javascript } from 'projen';
import { DEV_DEPENDENCIES } from './projenrc/deps';
import { configureInteg } from './projenrc/integ';
import { configureLint } from './projenrc/lint';
import { configureExampleApp, configurePackage } from './projenrc/package';
import { configureTasks } from './projenrc/tasks';

// aws-cdk-lib 2.257.0 is the newest release whose cloud assembly the available integ-runner
// reads and the oldest with the IXxxRef interfaces this library takes; it is both the
// development version and the minimum peer version.
const CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-device-defender',
  packageName: 'cdk-device-defender',
  description: 'AWS CDK constructs for AWS IoT Device Defender mitigation actions: least-privilege roles, audit-check validation and automatic mitigation.',
  keywords: ['aws-cdk', 'cdk', 'iot', 'device-defender', 'mitigation', 'security'],
  author: 'cdk-device-defender contributors',
  authorAddress: 'maintainers@cdk-device-defender.dev',
  repositoryUrl: 'https://github.com/cdk-device-defender/cdk-device-defender.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  sampleCode: false,

  cdkVersion: CDK_VERSION,
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  // TypeScript 7 breaks ts-node; jsii 5.9 compiles with TypeScript 5.9.
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.3',
  minNodeVersion: '20.16.0',

  // Bindings for every jsii language. Registries are out of reach here: the release gates
  // generate the code of each (jsii-pacmak --code-only) and fail if one cannot be generated.
  publishToPypi: { distName: 'cdk-device-defender', module: 'cdk_device_defender' },
  publishToMaven: { javaPackage: 'dev.cdkdevicedefender', mavenGroupId: 'dev.cdk-device-defender', mavenArtifactId: 'cdk-device-defender' },
  publishToNuget: { dotNetNamespace: 'CdkDeviceDefender', packageId: 'CdkDeviceDefender' },
  publishToGo: { moduleName: 'github.com/cdk-device-defender/cdk-device-defender-go' },

  // CI is `.ci/run`; releases are cut by maintainers, not from this repository's workflows.
  github: false,
  release: false,
  depsUpgrade: false,

  // projenrc/deps.ts says why each is here and why at that version.
  devDeps: DEV_DEPENDENCIES,

  // Handlers run on Node.js 24 (nodejs20.x is deprecated); the AWS SDK v3 comes from the Lambda
  // runtime (CONTRIBUTING.md "Handlers" says why it is not bundled).
  lambdaOptions: { runtime: awscdk.LambdaRuntime.NODEJS_24_X },
  // projen's integ-runner tasks: `integ` (in the test command) and `integ:update`.
  experimentalIntegRunner: true,

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts', 'examples/**/*.ts', 'integ/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: {},
  },
  // First step of the test command: `tsc --noEmit -p tsconfig.dev.json`, i.e. everything above.
  typecheckTests: true,
  eslintOptions: {
    // One typed-lint project for src, tests, examples, integ tests and benchmarks.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'integ', 'bench'],
    // The test command lints without fixing and fails on any warning; `npx projen eslint --fix` fixes.
    commandOptions: { fix: false, extraArgs: ['--max-warnings=0'] },
  },

  jestOptions: {
    passWithNoTests: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.ts'],
      testTimeout: 60_000,
      // Time (CONTRIBUTING.md, "Release gates"): one CloudFormation validator per worker, a worker
      // per core, and no coverage (`npx jest --coverage` gives it).
      testEnvironment: '<rootDir>/test/util/validator-environment.ts',
      // The SDK's retries keep their attempts but not their back-off waits (test/util/sdk-retry-waits.ts).
      setupFiles: ['<rootDir>/test/util/sdk-retry-waits.ts'],
      maxWorkers: '100%',
      collectCoverage: false,
    },
  },

  gitignore: ['cdk.out/', '*.d.ts.map', '.tmp/', '.jsii.tabl.json', 'cdk-integ.out.*'],
});

// The rest, by concern: lint layers (projenrc/lint.ts), integration tests (projenrc/integ.ts), the
// hand-written tasks and release gates (projenrc/tasks.ts), packaging and the example app
// (projenrc/package.ts). The order of these calls is the order of the generated files' entries.
configureLint(project);
configureInteg(project);
configureTasks(project);
configurePackage(project);
configureExampleApp(project);

project.synth();
