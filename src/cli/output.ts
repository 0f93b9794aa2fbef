import * as readline from 'readline';

/**
 * Where the CLI writes (results to `out`, progress and diagnostics to `err`) and how it asks
 * before writing to AWS. Tests capture the output and answer the questions.
 */
export interface Io {
  /** Whether `err` is a terminal (progress bars are drawn only there). */
  readonly interactive: boolean;
  /** Whether stdin and stdout are both terminals: only then may a command ask before it writes. */
  readonly terminal: boolean;
  out(line: string): void;
  err(text: string): void;
  /** Asks a yes/no question on the terminal; true only for an explicit yes. */
  confirm(question: string): Promise<boolean>;
}

export const processIo: Io = {
  interactive: Boolean(process.stderr.isTTY),
  terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(text),
  confirm: (question) => new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    // End of input (Ctrl-D) without an answer is a no; after an answer, resolving again does nothing.
    rl.on('close', () => resolve(false));
    rl.question(`${question} [y/N] `, (answer) => {
      resolve(isYes(answer));
      rl.close();
    });
  }),
};

/** `y` or `yes`, in any case: anything else (including nothing) is no. */
export function isYes(answer: string): boolean {
  return /^y(es)?$/i.test(answer.trim());
}

/** A plain-text table: one header row, columns padded to their widest cell. */
export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)];
}

/** A progress indicator on `err` while pages load; silent when `err` is not a terminal. */
export class Progress {
  private count = 0;
  /** @param total when known, the bar fills up to it and the line says `count/total` */
  constructor(private readonly io: Io, private readonly label: string, private readonly total?: number) {}

  public tick(items: number): void {
    this.count += items;
    if (this.io.interactive) {
      const filled = this.total ? Math.round((30 * this.count) / this.total) : Math.ceil(this.count / 25);
      const bar = '#'.repeat(Math.min(30, filled));
      this.io.err(`\r${this.label} [${bar.padEnd(30, '.')}] ${this.count}${this.total ? `/${this.total}` : ''}`);
    }
  }

  public done(): void {
    if (this.io.interactive) { this.io.err('\n'); }
  }
}

/** Parses a duration such as 30m, 12h or 7d. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text);
  if (!match) { throw new UsageError(`invalid duration ${JSON.stringify(text)}: use a number and m, h or d (e.g. 7d)`); }
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

/** Wrong arguments: one line and where to read the command's help, exit code 2. */
export class UsageError extends Error {
  /** @param command the command whose help the error points to, when the thrower knows it */
  constructor(message: string, public readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
