import { awscdk, javascript, JsonFile } from 'projen';

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

  // Bindings for every jsii language. Registries are out of reach here: the test command
  // generates the code of each (jsii-pacmak --code-only) and fails if one cannot be generated.
  publishToPypi: { distName: 'cdk-device-defender', module: 'cdk_device_defender' },
  publishToMaven: { javaPackage: 'dev.cdkdevicedefender', mavenGroupId: 'dev.cdk-device-defender', mavenArtifactId: 'cdk-device-defender' },
  publishToNuget: { dotNetNamespace: 'CdkDeviceDefender', packageId: 'CdkDeviceDefender' },
  publishToGo: { moduleName: 'github.com/cdk-device-defender/cdk-device-defender-go' },

  // CI is `.ci/run`; releases are cut by maintainers, not from this repository's workflows.
  github: false,
  release: false,
  depsUpgrade: false,

  devDeps: [
    // `cdk synth` of the example app (README quick start).
    'aws-cdk@^2.1100.0',
    // cdk-nag 2.38.x is the line that runs as an Aspect on aws-cdk-lib 2.257.0 (facts §8).
    'cdk-nag@2.38.2',
    // AWS's CloudFormation validator 1.14.0 ships only inside aws-cdk-lib 2.276.0 (facts §8).
    'cfn-validate-host@npm:aws-cdk-lib@2.276.0',
    // Integration tests (integ/): snapshots checked in the test command, deployable by a maintainer.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    // Handlers: bundled by esbuild; tests drive the real clients against the IoT emulator in test/.
    '@aws-sdk/client-iot@^3',
    '@aws-sdk/client-sns@^3',
    '@types/aws-lambda@^8',
    'esbuild@^0.25',
  ],

  // Handlers run on Node.js 24 (nodejs20.x is deprecated); the AWS SDK v3 comes from the Lambda
  // runtime (see README "Handlers" for why it is not bundled).
  lambdaOptions: { runtime: awscdk.LambdaRuntime.NODEJS_24_X },

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts', 'examples/**/*.ts', 'integ/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One typed-lint project for src, tests, examples, integ tests and benchmarks.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'integ', 'bench'],
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.ts'],
      testTimeout: 60_000,
    },
  },

  gitignore: ['cdk.out/', '*.d.ts.map', '.tmp/', '.jsii.tabl.json', 'cdk-integ.out.*'],
});

// Handler code is bundled by esbuild (the AWS SDK comes from the Lambda runtime): its imports are
// devDependencies of the library, never dependencies of its users.
project.eslint?.allowDevDeps('src/handlers/**');
// Likewise the operations CLI, bundled with its AWS SDK into one file.
project.eslint?.allowDevDeps('src/cli/**');

// Layers (style guide §7), one way: constructs (src/*.ts) -> src/private/ -> src/contract.ts;
// handlers -> contract and the AWS SDK; CLI -> handlers' shared code and contract. The public enums
// (src/audit-check.ts, src/mitigation-action-type.ts) import nothing, like the contract, so every
// layer may use them. A wrong import fails the lint step of the test command.
const CONSTRUCTS = './src/*.ts';
const LEAVES = ['src/contract.ts', 'src/audit-check.ts', 'src/mitigation-action-type.ts'];
// eslint-plugin-import matches `except` globs against absolute paths.
const EXCEPT_LEAVES = LEAVES.map((leaf) => `**/${leaf}`);
const RUNTIME = ['./src/handlers/shared/**', './src/handlers/*.lambda.ts'];
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [{
      target: [CONSTRUCTS, './src/private/**'],
      from: [...RUNTIME, './src/cli/**'],
      message: 'Constructs never load runtime code (users have no AWS SDK); share constants through src/contract.ts.',
    }, {
      target: './src/private/**',
      from: [CONSTRUCTS],
      except: EXCEPT_LEAVES,
      message: 'src/private/ never imports a construct file; what both need goes in src/private/, src/contract.ts or an enum module.',
    }, {
      target: RUNTIME,
      from: [CONSTRUCTS, './src/private/**', './src/handlers/*-function.ts', './src/cli/**'],
      except: EXCEPT_LEAVES,
      message: 'Handlers load only src/contract.ts, the public enums and the AWS SDK, never construct code.',
    }, {
      target: './src/cli/**',
      from: [CONSTRUCTS, './src/private/**', './src/handlers/*-function.ts', './src/handlers/*.lambda.ts'],
      except: EXCEPT_LEAVES,
      message: 'The CLI loads only the handlers\' shared code, src/contract.ts and the public enums, never construct code.',
    }],
  }],
});
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: { 'import/no-cycle': 'error' },
});
project.eslint?.addOverride({
  files: LEAVES,
  rules: { 'no-restricted-imports': ['error', { patterns: ['*'] }] },
});

// The test command lints without fixing (`npx projen eslint` fixes), and any warning fails it.
const lint = project.addTask('lint', {
  description: 'Lints everything; fails on any warning',
  exec: 'eslint --max-warnings=0 --ext .ts,.tsx --no-error-on-unmatched-pattern src test examples integ bench projenrc .projenrc.ts',
  env: { ESLINT_USE_FLAT_CONFIG: 'false' },
});

// Integration tests: the snapshot check runs in the test command (no AWS account needed);
// `integ:update` refreshes snapshots without deploying; `integ:deploy` is for maintainers with an account.
// The apps are transpiled only: the typecheck task checks their types.
const INTEG = 'integ-runner --directory integ --language typescript --app "node -r ts-node/register {filePath}"';
const integEnv = { TS_NODE_TRANSPILE_ONLY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
const integ = project.addTask('integ', { description: 'Checks the integration test snapshots', exec: INTEG, env: integEnv });
project.addTask('integ:update', { description: 'Updates the integration test snapshots without deploying', exec: `${INTEG} --update-on-failed --dry-run --force`, env: integEnv });
project.addTask('integ:deploy', { description: 'Deploys each integration test and runs its assertions (needs an AWS account)', exec: `${INTEG} --update-on-failed` });
const typecheck = project.addTask('typecheck', { description: 'Type-checks sources, tests, examples, integ tests and benchmarks', exec: 'tsc --noEmit -p tsconfig.dev.json' });

// Release gates: the jsii build, README examples compiled by jsii-rosetta (strict), code for every
// jsii language, documented public API and API.md up to date, and the newest aws-cdk-lib.
const languages = project.addTask('gate:languages', {
  description: 'Compiles README examples with jsii-rosetta and generates Python, Java, .NET and Go code',
  steps: [
    { spawn: 'compile' },
    { exec: 'jsii-rosetta extract --strict --fail .jsii' },
    { exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go -o .tmp/pacmak' },
  ],
});
const apiDocs = project.addTask('gate:api-docs', {
  description: 'Fails on an undocumented public API, an optional prop without @default, or a stale API.md',
  steps: [
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json test/gates/check-api-docs.ts' },
    { exec: 'jsii-docgen -o .tmp/API.md' },
    { exec: 'diff -q API.md .tmp/API.md || (echo "API.md is out of date: run npx projen docgen" && exit 1)' },
  ],
});
const consumer = project.addTask('gate:consumer', {
  description: 'Installs the packed library into a fresh app outside the repository with only its minimum peers; loads, synthesizes every construct, runs the CLI and the jsii runtime',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json test/gates/consumer.ts',
});
const compat = project.addTask('gate:compat', {
  description: 'Synthesizes the example app against the packed library and aws-cdk-lib 2.276.0 with strict template validation',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json test/gates/synth-newest.ts',
});

// The operations CLI (`npx cdk-device-defender`): one file, with the AWS SDK bundled, so the
// package needs no runtime dependency for it.
const bundleCli = project.addTask('bundle:cli', {
  description: 'Bundles the operations CLI',
  exec: 'esbuild src/cli/bin.ts --bundle --platform=node --target=node20 --minify --log-level=warning '
    + '--outfile=assets/cli/cdk-device-defender.js "--banner:js=#!/usr/bin/env node"',
});
project.tasks.tryFind('bundle')!.spawn(bundleCli);
project.addBins({ 'cdk-device-defender': 'assets/cli/cdk-device-defender.js' });

// Benchmarks (not part of the test command): writes bench/RESULTS.md.
project.addTask('bench', {
  description: 'Measures synth cost, runtime cost, cold-start proxies and library load time; writes bench/RESULTS.md',
  steps: [{ spawn: 'compile' }, { spawn: 'bundle' }, { exec: 'ts-node --transpile-only --project tsconfig.dev.json bench/run.ts' }],
});

// The whole test command (README quick start, .ci/run), in order. A fresh clone has no Lambda
// bundles (assets/ is build output): bundle before anything synthesizes.
project.testTask.reset();
project.testTask.spawn(typecheck);
project.testTask.spawn(project.tasks.tryFind('bundle')!);
project.testTask.exec('jest --ci', { receiveArgs: true });
project.testTask.spawn(lint);
project.testTask.spawn(integ);
project.testTask.spawn(languages);
project.testTask.spawn(apiDocs);
project.testTask.spawn(consumer);
project.testTask.spawn(compat);

// Runtime code compiled by tsc is not shipped: the Lambda functions and the CLI run the esbuild
// bundles in assets/, and nothing a user imports may reach the AWS SDK.
for (const path of ['/examples/', '/integ/', '/bench/', '/rosetta/', '/cdk.json', '/.ci/', 'cdk.out/', '/.tmp/',
  '/lib/handlers/shared/', '/lib/handlers/*.lambda.*', '/lib/cli/', '/.jsii.tabl.json']) {
  project.addPackageIgnore(path);
}

// The README's first quick-start command: `npx cdk synth` synthesizes examples/quickstart.ts.
new JsonFile(project, 'cdk.json', {
  obj: {
    // Bundles the handlers first: a fresh clone has no assets/ (they are build output).
    app: 'npx projen bundle && npx ts-node --prefer-ts-exts --project tsconfig.dev.json examples/quickstart.ts',
    output: 'cdk.out',
    context: {},
  },
});

project.synth();
