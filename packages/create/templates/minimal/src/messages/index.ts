/** What the bot says. Add a language with a catalogue of the same keys (`typeof en`). */
export const en = {
  welcome: 'Hello! I can brew coffee for you. Say "order 2 coffees".',
  welcomeSuggestions: ['Order 2 coffees', 'Order a coffee'],
  fallback: 'Sorry, I didn\'t get that. Try "order a coffee".',
  askCups: 'How many cups would you like? Say for example "order 2 coffees".',
  tooMany: (max: number) => `Sorry, I can brew 1 to ${max} cups at a time.`,
  brewing: (cups: number, jobId: string) =>
    `Brewing ${cups} ${cups === 1 ? 'cup' : 'cups'} of coffee. Your order number is ${jobId}.`,
  notQueued: 'Sorry, I could not take the order just now. Please try again.',
  ready: (cups: number) => `Your ${cups} ${cups === 1 ? 'cup is' : 'cups are'} ready.`,
  failed: (jobId: string) => `Sorry, order ${jobId} could not be brewed.`,
};

export type Messages = typeof en;

/** The catalogues by language, for defineBot({ messages }). */
export const messages = { en };
