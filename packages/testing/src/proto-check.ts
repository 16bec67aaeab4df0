// The strict checker lives with the scripts (the Dialogflow stand-in applies it to webhook
// responses, as Dialogflow does); tests import it from here.
export * from './protos';
