import { MIN_NODE_VERSION } from './client';
import { COMMAND_NAMES, COMMANDS, GLOBAL_OPTIONS, OptionSpec } from './commands';
import { FAN_OUT_COMMANDS } from './spoke-options';

const WIDTH = 100;
const PROGRAM = 'cdk-device-defender';

/** `cdk-device-defender --help`: each command in one line, the global options, and the rules every command follows. */
export function globalHelp(): string {
  const nameWidth = Math.max(...COMMAND_NAMES.map((c) => c.length));
  return [
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'commands:',
    ...COMMAND_NAMES.map((c) => `  ${c.padEnd(nameWidth)}  ${COMMANDS[c].summary}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS, GLOBAL_OPTIONS),
    '',
    ...wrap(`\`${PROGRAM} <command> --help\` shows a command's options and an example. cancel, undo, suppress and `
      + 'unsuppress print their plan and, in a terminal, ask before writing; elsewhere they change nothing and exit 2 '
      + 'unless --yes is given; --dry-run only prints the plan.'),
    '',
    ...wrap(`Spokes (an organization's accounts and regions): ${FAN_OUT_COMMANDS.join(', ')} run in each account of --accounts `
      + 'and each region of --regions, or in every spoke of the hub\'s registry (--all-spokes --registry-table), --concurrency at '
      + 'a time; each row names its account and region, and a spoke that fails is listed with its error and fix beside the others '
      + '(exit 1). The other commands act in one spoke: --account ID --region REGION. In a spoke the CLI assumes the role '
      + 'NAME-<region> (--role-name NAME), once per spoke.'),
    '',
    ...EXIT_CODES,
    '',
    ...wrap('Credentials and region: --profile and --region, else the AWS SDK\'s chain (environment, shared config and '
      + `credentials files, SSO, container or instance role). Node.js ${MIN_NODE_VERSION} or later.`),
  ].join('\n');
}

/** `cdk-device-defender <command> --help`: its usage line, what it does, its options, the global ones and an example. */
export function commandHelp(command: string): string {
  const spec = COMMANDS[command];
  const options = Object.keys(spec.options).length > 0 ? optionLines(spec.options, { ...spec.options, ...GLOBAL_OPTIONS }) : ['  (none)'];
  return [
    `usage: ${PROGRAM} ${spec.usage} [global options]`,
    '',
    ...wrap(`${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`),
    ...(spec.notes ?? []).flatMap((note) => ['', ...wrap(note)]),
    '',
    'options:',
    ...options,
    'global options:',
    ...optionLines(GLOBAL_OPTIONS, { ...spec.options, ...GLOBAL_OPTIONS }),
    '',
    ...EXIT_CODES,
    '',
    'example:',
    `  ${spec.example}`,
  ].join('\n');
}

const EXIT_CODES = wrap('exit codes: 0 done; 1 failed, a step or a spoke failed (the others are listed), or the answer was no; '
  + '2 wrong arguments, or not a terminal and no --yes (nothing changed).');

/** One line per option (more when its help wraps), the help column aligned across `alignWith`. */
function optionLines(options: Readonly<Record<string, OptionSpec>>, alignWith: Readonly<Record<string, OptionSpec>>): string[] {
  const label = (name: string, o: OptionSpec) => `--${name}${o.value ? ` ${o.value}` : ''}${o.short ? `, -${o.short}` : ''}`;
  const width = Math.max(...Object.entries(alignWith).map(([n, o]) => label(n, o).length));
  return Object.entries(options).flatMap(([name, o]) => wrap(o.help, 2 + width + 2).map((line, i) =>
    (i === 0 ? `  ${label(name, o).padEnd(width)}  ${line.trimStart()}` : line)));
}

/** Words wrapped to WIDTH, every line but the first indented by `indent` (the first is indented by the caller). */
function wrap(text: string, indent = 0): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (indent + line.length + 1 + word.length) > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}
