import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';

/** Default Welcome Intent (CX tag `welcome`): a greeting with suggestions. */
export const welcome: IntentHandler = (ctx) => say(ctx.t.welcome, ctx.t.welcomeSuggestions);
