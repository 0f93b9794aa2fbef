import { awscdk, DependencyType, javascript, JsonFile } from 'projen';

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

  devDeps: [
    // `cdk synth` of the example app (README quick start).
    'aws-cdk@^2.1100.0',
    // cdk-nag 2.38.x is the line that runs as an Aspect on aws-cdk-lib 2.257.0.
    'cdk-nag@2.38.2',
    // AWS's CloudFormation validator 1.14.0 ships only inside aws-cdk-lib 2.276.0.
    'cfn-validate-host@npm:aws-cdk-lib@2.276.0',
    // Integration tests (integ/): snapshots checked in the test command, deployable by a maintainer.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    // Interop with teams on aws-iot-alpha (test/alpha-interop.test.ts, README "Coming from
    // @aws-cdk/aws-iot-alpha"): the newest release on the registry whose aws-cdk-lib peer range
    // (^2.214.1) admits the pinned 2.257.0. Tests only: the library never imports it.
    '@aws-cdk/aws-iot-alpha@2.214.1-alpha.0',
    // Handlers: bundled by esbuild; tests drive the real clients against the IoT emulator in test/.
    '@aws-sdk/client-iot@^3',
    '@aws-sdk/client-sns@^3',
    '@aws-sdk/client-eventbridge@^3',
    '@aws-sdk/client-dynamodb@^3',
    // Measured against the handlers' own EMF emitter (bench/emf.ts); not bundled into a handler.
    '@aws-lambda-powertools/metrics@^2',
    '@types/aws-lambda@^8',
    'esbuild@^0.25',
  ],

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
    },
  },

  gitignore: ['cdk.out/', '*.d.ts.map', '.tmp/', '.jsii.tabl.json', 'cdk-integ.out.*'],
});

// Handler code is bundled by esbuild (the AWS SDK comes from the Lambda runtime): its imports are
// devDependencies of the library, never dependencies of its users.
project.eslint?.allowDevDeps('src/handlers/**');
// Likewise the operations CLI, bundled with its AWS SDK into one file.
project.eslint?.allowDevDeps('src/cli/**');

// Layers (CONTRIBUTING.md "Layers"), one way: constructs (src/*.ts) -> src/private/ -> src/contract.ts;
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

// Integration tests: integ-runner reads its directory and app from integ.config.json. `integ`
// checks the snapshots without an AWS account; `integ:update` deploys each test, runs its
// assertions and updates its snapshot (needs an account); `integ:deploy` deploys and checks every
// test without touching the snapshots (the proof that CloudFormation accepts a template); `integ:snapshot` updates the snapshots
// without deploying. The apps are only transpiled: the type-check step covers them.
new JsonFile(project, 'integ.config.json', {
  obj: { directory: 'integ', app: 'node -r ts-node/register {filePath}' },
  marker: false, // integ-runner refuses unknown keys, such as projen's "//" marker
});
// The built-in asks for the latest integ-runner and integ-tests-alpha: keep the pinned devDeps above.
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

// Release gates (no projen built-in): `release-gates` runs all four, in order; each also runs alone.
const TS_NODE = 'ts-node --transpile-only --project tsconfig.dev.json';
const releaseGates = project.addTask('release-gates', {
  description: 'Runs every release gate: jsii languages, API docs, the installed package, the newest aws-cdk-lib',
});
releaseGates.spawn(project.addTask('gate:languages', {
  description: 'Compiles README examples with jsii-rosetta and generates Python, Java, .NET and Go code',
  steps: [
    { spawn: 'compile' },
    { exec: 'jsii-rosetta extract --strict --fail .jsii' },
    { exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go -o .tmp/pacmak' },
  ],
}));
releaseGates.spawn(project.addTask('gate:api-docs', {
  description: 'Fails on an undocumented public API, an optional prop without @default, or a stale API.md',
  steps: [
    { exec: `${TS_NODE} test/gates/check-api-docs.ts` },
    { exec: 'jsii-docgen -o .tmp/API.md' },
    { exec: 'diff -q API.md .tmp/API.md || (echo "API.md is out of date: run npx projen docgen" && exit 1)' },
  ],
}));
releaseGates.spawn(project.addTask('gate:consumer', {
  description: 'Installs the packed library into a fresh app outside the repository with only its minimum peers; loads, synthesizes every construct, runs the CLI and the jsii runtime',
  exec: `${TS_NODE} test/gates/consumer.ts`,
}));
releaseGates.spawn(project.addTask('gate:compat', {
  description: 'Synthesizes the example app against the packed library and aws-cdk-lib 2.276.0 with strict template validation',
  exec: `${TS_NODE} test/gates/synth-newest.ts`,
}));

// The operations CLI (`npx cdk-device-defender`): one file with its AWS SDK bundled, so the
// package needs no runtime dependency for it. `bundle` builds it with the handlers. The outfile is
// relative to assets/cli/bin/: the published bin stays assets/cli/cdk-device-defender.js.
project.bundler.addBundle('src/cli/bin.ts', {
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: javascript.BundleLogLevel.WARNING,
  banner: '#!/usr/bin/env node',
  outfile: '../cdk-device-defender.js',
  watchTask: false,
});
project.addBins({ 'cdk-device-defender': 'assets/cli/cdk-device-defender.js' });

// Benchmarks (not in the test command): writes bench/RESULTS.md.
project.addTask('bench', {
  description: 'Measures synth cost, runtime cost, cold-start proxies and library load time; writes bench/RESULTS.md',
  steps: [{ spawn: 'compile' }, { spawn: 'bundle' }, { exec: `${TS_NODE} bench/run.ts` }],
});

// The test command (README quick start, .ci/run): type-check, bundle, jest, eslint, integ, release
// gates. projen gives type-check, jest, eslint and integ in that order; a fresh clone has no
// bundles (assets/ is build output), so `bundle` goes in before jest.
project.testTask.insertStep(1, { spawn: project.bundler.bundleTask.name });
project.testTask.spawn(releaseGates);

// `build` packages JavaScript only, so it works offline: projen's default packages Java, .NET,
// Python and Go outside CI, and Maven (package:java) needs its network. The other languages stay
// one command each (`package-all`, with their toolchains and registries); gate:languages checks
// their generated code offline.
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);

// lib/ ships without source maps: they pointed users' stack traces to src/, which the package does
// not ship, and doubled lib's size (issue 19 item 2). Tests and the example run from src/.
project.tsconfig?.file.addOverride('compilerOptions.inlineSourceMap', false);
project.tsconfig?.file.addOverride('compilerOptions.inlineSources', false);

// Runtime code compiled by tsc is not shipped: the Lambda functions and the CLI run the esbuild
// bundles in assets/, and nothing a user imports may reach the AWS SDK.
for (const path of ['/examples/', '/integ/', '/bench/', '/rosetta/', '/cdk.json', '/.ci/', 'cdk.out/', '/.tmp/',
  '/lib/handlers/shared/', '/lib/handlers/*.lambda.*', '/lib/cli/', '/.jsii.tabl.json', '/integ.config.json', '/CONTRIBUTING.md']) {
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
