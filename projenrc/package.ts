import { awscdk, JsonFile } from 'projen';

/** What `package` builds, what the package ships and how lib/ is compiled. */
export function configurePackage(project: awscdk.AwsCdkConstructLibrary): void {
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
    '/lib/handlers/*/', '/lib/handlers/*.lambda.*', '/lib/cli/', '/.jsii.tabl.json', '/integ.config.json', '/CONTRIBUTING.md']) {
    project.addPackageIgnore(path);
  }
}

/**
 * The README's first quick-start command: `npx cdk synth` synthesizes examples/quickstart.ts.
 * A fresh clone has no assets/ (they are build output): projenrc/bundle.ts, loaded first, builds
 * them with the `bundle` task's own esbuild commands, without running projen.
 */
export function configureExampleApp(project: awscdk.AwsCdkConstructLibrary): void {
  new JsonFile(project, 'cdk.json', {
    obj: {
      app: 'npx ts-node --prefer-ts-exts --project tsconfig.dev.json --require ./projenrc/bundle.ts examples/quickstart.ts',
      output: 'cdk.out',
      context: {},
    },
  });
}
