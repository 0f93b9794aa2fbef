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

  gitignore: ['cdk.out/', '*.d.ts.map', '.tmp/'],
});

// Handler code is bundled by esbuild (the AWS SDK comes from the Lambda runtime): its imports are
// devDependencies of the library, never dependencies of its users.
project.eslint?.allowDevDeps('src/handlers/**');

// A fresh clone has no Lambda bundles (assets/ is not committed): bundle before the tests synthesize.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

for (const path of ['/examples/', '/integ/', '/bench/', '/cdk.json', '/.ci/', 'cdk.out/']) {
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
