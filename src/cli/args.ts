import { parseArgs } from 'util';
import { COMMAND_NAMES, COMMANDS, GLOBAL_OPTIONS, OptionSpec } from './commands';
import { UsageError } from './output';
import { SpokeOptions } from './spoke-options';

/** The options of a command line, with their defaults (those that choose spokes from `SpokeOptions`). */
export interface Values extends SpokeOptions {
  readonly 'json': boolean;
  readonly 'region'?: string;
  readonly 'profile'?: string;
  readonly 'detail': boolean;
  readonly 'since': string;
  readonly 'status'?: string;
  readonly 'action-type'?: string;
  readonly 'audit-task'?: string;
  readonly 'template'?: string;
  readonly 'dry-run': boolean;
  readonly 'yes': boolean;
  readonly 'allow-check': string[];
  readonly 'until'?: string;
  readonly 'indefinitely': boolean;
  readonly 'reason'?: string;
}

/** What a command line asks for: a help page, nothing (no command), or a command to run. */
export type CommandLine =
  | { readonly kind: 'help'; readonly command?: string }
  | { readonly kind: 'none'; readonly values: Values }
  | { readonly kind: 'run'; readonly command: string; readonly argument?: string; readonly values: Values };

const DEFAULTS: Values = {
  'json': false, 'detail': false, 'since': '7d', 'dry-run': false, 'yes': false, 'allow-check': [], 'indefinitely': false, 'all-spokes': false,
};

/** Every option of every command, for the first (lenient) pass: it tells option values from positionals. */
const EVERY_OPTION = Object.fromEntries(
  [GLOBAL_OPTIONS, ...Object.values(COMMANDS).map((c) => c.options)].flatMap((options) => Object.entries(options))
    .map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
);

/** Whether the command line asks for JSON (read before parsing, so that a parse error is JSON too). */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Parses a command line: the command, its one argument if it takes one, and its options, each
 * checked against the command's table (name, value, allowed values) before anything is sent.
 * `--help` or `-h` anywhere asks for the command's help, however wrong the rest. Throws a
 * `UsageError` naming the command for everything else that is wrong.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const { tokens } = parseArgs({ args: argv, options: EVERY_OPTION, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  const options = tokens.flatMap((t) => (t.kind === 'option' ? [t] : []));
  const [command, ...rest] = positionals;
  if (command !== undefined && !COMMAND_NAMES.includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are ${COMMAND_NAMES.join(', ')}`);
  }
  if (options.some((t) => t.name === 'help')) { return { kind: 'help', command }; }
  if (command === undefined) { return { kind: 'none', values: { ...DEFAULTS, json: wantsJson(argv) } }; }

  const spec = COMMANDS[command];
  const known = new Map<string, OptionSpec>(Object.entries({ ...GLOBAL_OPTIONS, ...spec.options }));
  const values: Record<string, unknown> = { ...DEFAULTS, 'allow-check': [] };
  for (const token of options) {
    const option = known.get(token.name);
    if (!option) {
      throw new UsageError(`${command} has no option ${token.rawName}`, command);
    }
    values[token.name] = valueOf(token, option, command, values[token.name]);
  }
  if (spec.argument) {
    if (rest.length !== 1) { throw new UsageError(`${command} takes one ${spec.argument}, got ${rest.length}`, command); }
  } else if (rest.length > 0) {
    throw new UsageError(`${command} takes no argument, got ${JSON.stringify(rest[0])}`, command);
  }
  return { kind: 'run', command, argument: rest[0], values: values as unknown as Values };
}

interface OptionToken { readonly name: string; readonly rawName: string; readonly value?: string; readonly inlineValue?: boolean }

/** An option's value, checked: a flag has none; a string option has one, of its allowed values if it has them. */
function valueOf(token: OptionToken, option: OptionSpec, command: string, previous: unknown): unknown {
  const name = token.rawName;
  if (option.type === 'boolean') {
    if (token.value !== undefined) { throw new UsageError(`${name} takes no value`, command); }
    return true;
  }
  const value = token.value;
  if (value === undefined) { throw new UsageError(`${name} needs a value (${option.value})`, command); }
  if (!token.inlineValue && value.startsWith('-')) {
    // The next word is an option (or looks like one): the value is missing, or must be written inline.
    const isOption = value === '-h' || (value.startsWith('--') && Object.keys(EVERY_OPTION).includes(value.slice(2).split('=')[0]));
    const inline = isOption ? '' : `; for one that starts with "-", write ${name}=${value}`;
    throw new UsageError(`${name} needs a value (${option.value})${inline}`, command);
  }
  if (option.allowed && !option.allowed.values.includes(value)) {
    throw new UsageError(`${name} ${value}: not a${/^[aeiou]/.test(option.allowed.what) ? 'n' : ''} ${option.allowed.what}; use one of ${option.allowed.values.join(', ')}`, command);
  }
  if (option.check) {
    try { option.check(value); } catch (error) { throw new UsageError((error as Error).message, command); }
  }
  return option.multiple ? [...(previous as string[]), value] : value;
}
