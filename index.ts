/**
 * The deployed entry (package.json `main`): registers both functions with functions-framework.
 * `functions-framework --target=webhook` (or `worker`) serves one of them.
 */
import './functions/webhook';
import './functions/worker';
