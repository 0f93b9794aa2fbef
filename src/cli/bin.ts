import { quietSdkNodeVersionWarning } from './client';
import { main } from './main';

// Before any AWS SDK client is built (see quietSdkNodeVersionWarning).
quietSdkNodeVersionWarning();
// `npx cdk-device-defender ...`: the bundled entry point (see .projenrc.ts, task bundle:cli/bin).
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
