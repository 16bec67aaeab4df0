// No imports: the deployed entry reads this before it loads any function's code.

/** The functions `serve(bot)` registers (each one bundle of `dff build`). */
export const FUNCTION_TARGETS = ['webhook', 'worker', 'chat'] as const;

/**
 * The function this process serves, as Cloud Functions names it (`FUNCTION_TARGET`) or as
 * `functions-framework --target=NAME` does; `undefined` when neither says.
 */
export function functionTarget(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): string | undefined {
  if (env.FUNCTION_TARGET) return env.FUNCTION_TARGET;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--target=')) return arg.slice('--target='.length);
    if (arg === '--target') return argv[i + 1];
  }
  return undefined;
}
