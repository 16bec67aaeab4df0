/** Turns a structured JSON log line into one readable line for the terminal. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { severity, message, time: _time, ...rest } = entry;
    delete rest['logging.googleapis.com/trace'];
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(severity ?? 'INFO').padEnd(7)} ${String(message ?? '')}${fields ? `  ${fields}` : ''}`;
  } catch {
    return line;
  }
}
