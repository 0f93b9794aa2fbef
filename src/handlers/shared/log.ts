/** Structured logging: one JSON object per line, one line per decision. */
export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  if (level === 'ERROR') {
    console.error(line);
  } else {
    console.log(line);
  }
}
