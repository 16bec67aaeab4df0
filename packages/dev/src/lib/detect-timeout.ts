/*
 * The deadline of `dff detect`'s DetectIntent call, apart from the client (which loads gax and
 * the protos) so that what reads it stays light.
 */

/** The deadline of one DetectIntent call, retries included (with the CLI's start, under 10 s). */
export const DETECT_TIMEOUT_MS = 6_000;

/**
 * `--timeout SECONDS` in milliseconds: DETECT_TIMEOUT_MS when absent, undefined when not a number
 * of seconds above 0 and at most 600.
 */
export function detectTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return DETECT_TIMEOUT_MS;
  const seconds = Number(value);
  return value.trim() !== '' && seconds > 0 && seconds <= 600 ? seconds * 1000 : undefined;
}
