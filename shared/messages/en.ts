/** English catalogue. Its shape is the {@link Messages} type every language must fill. */
export const en = {
  welcome: 'Hi! I can check an order, look up stock, tell you the weather or book a table.',
  welcomeSuggestions: ['Check order 1001', 'Weather in Taipei', 'Book a table'],
  fallback: "Sorry, I didn't get that. Could you say it another way?",
  fallbackSuggestions: ['Check an order', 'Check stock', 'Weather'],
  suggestionsTitle: 'You can say:',
  stillWorking: "I'm still working on that. Please ask me again in a moment.",
  apology: 'Sorry, something went wrong on my side. Please try again.',
};

export type Messages = typeof en;
