/** The kinds of parameter values Dialogflow resolves system entities to. */
export type ParameterKind = 'number' | 'date' | 'time' | 'person' | 'text';

/**
 * A value typed as `kind` in the shape Dialogflow resolves it to: numbers for @sys.number, ES
 * dates and times as ISO date-times, CX dates and times as objects, @sys.person as `{name}`.
 * A value that does not read as its kind is sent as the string it is (as a user could type it).
 */
export function typedValue(kind: ParameterKind, value: string, edition: 'es' | 'cx'): unknown {
  const v = value.trim();
  switch (kind) {
    case 'date': {
      const date = v.match(/^(\d{4})-(\d{2})-(\d{2})$/);
      if (!date) return v;
      return edition === 'es'
        ? `${v}T12:00:00+08:00`
        : { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
    }
    case 'time': {
      const time = v.match(/^(\d{1,2}):(\d{2})$/);
      if (!time) return v;
      const hh = time[1]!.padStart(2, '0');
      return edition === 'es'
        ? `${new Date().toISOString().slice(0, 10)}T${hh}:${time[2]}:00+08:00`
        : { hours: Number(time[1]), minutes: Number(time[2]), seconds: 0, nanos: 0 };
    }
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(v) && v.length < 16 ? Number(v) : v;
    case 'person':
      return v === '' ? v : { name: v };
    case 'text':
      return value;
  }
}

/**
 * Turns `name=value` from the command line into the shape Dialogflow resolves that kind of
 * parameter to, so simulated requests look like real ones: the kind is read from the name
 * (`*date*`, `*time*`, `name`/`person`) or the value (numbers, JSON).
 */
export function toDialogflowValue(name: string, value: string, edition: 'es' | 'cx'): unknown {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && /date/i.test(name))
    return typedValue('date', value, edition);
  if (/^\d{1,2}:\d{2}$/.test(value) && /time/i.test(name))
    return typedValue('time', value, edition);
  if (/^(name|person)$/i.test(name)) return typedValue('person', value, edition);
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
