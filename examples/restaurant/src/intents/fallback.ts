import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';

/** Default Fallback Intent (CX tag `fallback`) and every name no handler claims. */
export const fallback: IntentHandler = (ctx) => say(ctx.t.fallback, ctx.t.fallbackSuggestions);
