import { say, type IntentHandler } from '../../shared/conversation';

/** Default Fallback Intent (CX tag `fallback`) and every name no handler claims. */
export const fallback: IntentHandler = (ctx) => say(ctx.t.fallback, ctx.t.fallbackSuggestions);
