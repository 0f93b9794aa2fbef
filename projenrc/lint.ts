import { awscdk } from 'projen';

/**
 * Which code may import what, enforced by the lint step of the test command.
 *
 * Layers (CONTRIBUTING.md "Layers"), one way: constructs (src/*.ts) -> src/private/ -> src/contract.ts;
 * handlers -> contract and the AWS SDK; CLI -> handlers' shared code and contract. The public enums
 * (src/audit-check.ts, src/mitigation-action-type.ts) import nothing, like the contract, so every
 * layer may use them. A wrong import fails the lint step of the test command.
 */
export function configureLint(project: awscdk.AwsCdkConstructLibrary): void {
  // Handler code is bundled by esbuild (the AWS SDK comes from the Lambda runtime): its imports are
  // devDependencies of the library, never dependencies of its users.
  project.eslint?.allowDevDeps('src/handlers/**');
  // Likewise the operations CLI, bundled with its AWS SDK into one file.
  project.eslint?.allowDevDeps('src/cli/**');

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
}
