/**
 * Turns `name=value` from the command line into the shape Dialogflow resolves that kind of
 * parameter to, so simulated requests look like real ones: numbers for @sys.number, ES dates
 * and times as ISO date-times, CX dates and times as objects, @sys.person as `{name}`.
 */
export function toDialogflowValue(name: string, value: string, edition: 'es' | 'cx'): unknown {
  const date = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (date && /date/i.test(name)) {
    return edition === 'es'
      ? `${value}T12:00:00+08:00`
      : { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
  }
  const time = value.match(/^(\d{1,2}):(\d{2})$/);
  if (time && /time/i.test(name)) {
    const hh = time[1]!.padStart(2, '0');
    return edition === 'es'
      ? `${new Date().toISOString().slice(0, 10)}T${hh}:${time[2]}:00+08:00`
      : { hours: Number(time[1]), minutes: Number(time[2]), seconds: 0, nanos: 0 };
  }
  if (/^(name|person)$/i.test(name)) return { name: value };
  if (/^-?\d+(\.\d+)?$/.test(value) && value.length < 16) return Number(value);
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
