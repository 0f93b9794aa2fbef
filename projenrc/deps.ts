// The development dependencies, each with why it is here and why at that version.
export const DEV_DEPENDENCIES = [
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
  // The organization hub: it assumes each spoke's role (STS), reads the spoke's configuration
  // (SSM) and tells Security Hub what mitigation did.
  '@aws-sdk/client-sts@^3',
  '@aws-sdk/client-ssm@^3',
  '@aws-sdk/client-securityhub@^3',
  // Measured against the handlers' own EMF emitter (bench/emf.ts); not bundled into a handler.
  '@aws-lambda-powertools/metrics@^2',
  '@types/aws-lambda@^8',
  'esbuild@^0.25',
];
