import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { en } from '../messages';

/** Default Welcome Intent (CX tag `welcome`): a greeting with suggestions. */
export const welcome: IntentHandler = () => say(en.welcome, en.welcomeSuggestions);
