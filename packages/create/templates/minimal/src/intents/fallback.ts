import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { en } from '../messages';

/** Default Fallback Intent (CX tag `fallback`) and every name no handler claims. */
export const fallback: IntentHandler = () => say(en.fallback, en.welcomeSuggestions);
