import { awscdk, javascript } from 'projen';

const TS_NODE = 'ts-node --transpile-only --project tsconfig.dev.json';

/**
 * The hand-written tasks: the release gates (no projen built-in), the operations CLI's bundle, the
 * benchmarks, and the test command's extra steps.
 */
export function configureTasks(project: awscdk.AwsCdkConstructLibrary): void {
  // Every task puts the project's node_modules/.bin first on PATH. projen asks `npx -c` for it,
  // which takes about 2 s per task run, 20 s or more of the test command's spawned tasks; node gives
  // the same entry in a few milliseconds.
  project.tasks.addEnvironment('PATH',
    '$(node --print "require(\'path\').join(process.cwd(), \'node_modules\', \'.bin\') + require(\'path\').delimiter + process.env.PATH")');

  // Release gates: `release-gates` runs all four, in order; each also runs alone.
  const releaseGates = project.addTask('release-gates', {
    description: 'Runs every release gate: jsii languages, API docs, the installed package, the newest aws-cdk-lib',
  });
  // README's examples compile for every language (jsii-rosetta, strict): alone in about 25 s, for a
  // change to README's examples; a snippet that rosetta refuses is a README users cannot follow in
  // Python, Java, .NET or Go.
  const examples = project.addTask('gate:examples', {
    description: 'Compiles README examples with jsii-rosetta (strict), as they are translated to the other languages',
    exec: 'jsii-rosetta extract --strict --fail .jsii',
  });
  releaseGates.spawn(project.addTask('gate:languages', {
    description: 'Compiles README examples with jsii-rosetta and generates Python, Java, .NET and Go code',
    steps: [
      { spawn: 'compile' },
      { spawn: examples.name },
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
    description: 'Synthesizes the example apps against the packed library and aws-cdk-lib 2.276.0 with strict template validation',
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

  // The handlers' bundles (projen's Lambda bundles, which take no esbuild options) lose whitespace and
  // dead syntax but keep every name, so stack traces still name the function: a fifth smaller
  // gzipped, which keeps the package within its size budget (test/gates/consumer.ts).
  for (const task of project.tasks.all.filter((t) => t.name.startsWith('bundle:handlers/'))) {
    const [step, ...rest] = task.steps;
    if (!step?.execArgs || rest.length > 0) { throw new Error(`${task.name}: expected one esbuild step`); }
    task.updateStep(0, { ...step, execArgs: [...step.execArgs, '--minify-whitespace', '--minify-syntax', '--keep-names'] });
  }

  // Benchmarks (not in the test command): writes bench/RESULTS.md.
  project.addTask('bench', {
    description: 'Measures synth cost, runtime cost, cold-start proxies and library load time; writes bench/RESULTS.md',
    steps: [{ spawn: 'compile' }, { spawn: 'bundle' }, { exec: `${TS_NODE} bench/run.ts` }],
  });

  // The test command (README quick start, .ci/run): type-check, bundle, jest, eslint, integ, then
  // the release gates on what users install, built as it ships (`compile`: lib/ and .jsii). projen
  // gives type-check, jest, eslint and integ in that order; a fresh clone has no bundles (assets/ is
  // build output), so `bundle` goes in before jest. gate:languages (jsii-rosetta, gate:examples, and
  // the other languages' code) runs with `release-gates` before a release, not here, to keep the test
  // command within its time budget (CONTRIBUTING.md, "Release gates"): with gate:examples a fresh
  // clone's test command took 235 s of its 240.
  project.testTask.insertStep(1, { spawn: project.bundler.bundleTask.name });
  for (const step of ['compile', 'gate:api-docs', 'gate:consumer', 'gate:compat']) {
    project.testTask.spawn(project.tasks.tryFind(step)!);
  }
}
