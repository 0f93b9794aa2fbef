import { awscdk } from 'projen';

/**
 * Which code may import what, enforced by the lint step of the test command.
 *
 * Layers (CONTRIBUTING.md "Layers"), one way: constructs (src/*.ts) -> src/private/ -> the contract
 * (src/contract/, import-free data and pure functions); handlers -> contract and the AWS SDK; CLI ->
 * handlers' shared code and contract. The public enums (src/audit-check.ts,
 * src/mitigation-action-type.ts) import nothing, and the contract's modules import only each other
 * and those enums, so every layer may use them. A wrong import fails the lint step of the test command.
 */
export function configureLint(project: awscdk.AwsCdkConstructLibrary): void {
  // Handler code is bundled by esbuild (the AWS SDK comes from the Lambda runtime): its imports are
  // devDependencies of the library, never dependencies of its users.
  project.eslint?.allowDevDeps('src/handlers/**');
  // Likewise the operations CLI, bundled with its AWS SDK into one file.
  project.eslint?.allowDevDeps('src/cli/**');

  const CONSTRUCTS = './src/*.ts';
  const ENUMS = ['src/audit-check.ts', 'src/mitigation-action-type.ts'];
  const CONTRACT = ['src/contract.ts', 'src/contract/**'];
  const LEAVES = [...CONTRACT, ...ENUMS];
  // eslint-plugin-import matches `except` globs against absolute paths.
  const EXCEPT_LEAVES = LEAVES.map((leaf) => `**/${leaf}`);
  // Handlers, the modules they share (src/handlers/shared/) and the modules private to one handler
  // (src/handlers/<handler>/, beside its <handler>.lambda.ts).
  const RUNTIME = ['./src/handlers/*/**', './src/handlers/*.lambda.ts'];
  project.eslint?.addRules({
    'import/no-restricted-paths': ['error', {
      zones: [{
        target: [CONSTRUCTS, './src/private/**'],
        from: [...RUNTIME, './src/cli/**'],
        message: 'Constructs never load runtime code (users have no AWS SDK); share constants through src/contract/.',
      }, {
        target: './src/private/**',
        from: [CONSTRUCTS],
        except: EXCEPT_LEAVES,
        message: 'src/private/ never imports a construct file; what both need goes in src/private/, src/contract/ or an enum module.',
      }, {
        target: RUNTIME,
        from: [CONSTRUCTS, './src/private/**', './src/handlers/*-function.ts', './src/cli/**'],
        except: EXCEPT_LEAVES,
        message: 'Handlers load only src/contract/, the public enums and the AWS SDK, never construct code.',
      }, {
        target: './src/cli/**',
        from: [CONSTRUCTS, './src/private/**', './src/handlers/*-function.ts', './src/handlers/*.lambda.ts'],
        except: EXCEPT_LEAVES,
        message: 'The CLI loads only the handlers\' shared code, src/contract/ and the public enums, never construct code.',
      }],
    }],
  });
  project.eslint?.addOverride({
    files: ['src/**/*.ts'],
    rules: { 'import/no-cycle': 'error' },
  });
  project.eslint?.addOverride({
    files: ENUMS,
    rules: { 'no-restricted-imports': ['error', { patterns: ['*'] }] },
  });
  project.eslint?.addOverride({
    files: CONTRACT,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          // Anything but a sibling module ('./x', or './contract/x' from src/contract.ts) or one of the enums.
          regex: '^(?!\\./[\\w-]+$|\\./contract/[\\w-]+$|\\.\\./audit-check$|\\.\\./mitigation-action-type$)',
          message: 'The contract imports only its own modules and the public enums.',
        }],
      }],
    },
  });
}
