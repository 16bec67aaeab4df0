/**
 * The framework's English strings: the apology, the still-working reply, the suggestions title and
 * the job texts the framework itself writes. Its shape is the {@link CoreMessages} type every
 * language must fill; a bot adds its own keys with `defineBot({ messages })`.
 */
export const en = {
  suggestionsTitle: 'You can say:',
  /** The button that picks an item of a list or carousel. */
  choose: 'Choose',
  stillWorking: "I'm still working on that. Please ask me again in a moment.",
  apology: 'Sorry, something went wrong on my side. Please try again.',
  jobNotQueued: (p: { jobId: string }) =>
    `Request ${p.jobId} was never queued, so nothing was done. Please ask me again.`,
  jobNotifySubject: (p: { jobId: string }) => `Update on your request ${p.jobId}`,
  jobFailed: (p: { jobId: string }) =>
    `Sorry, request ${p.jobId} could not be completed. Please try again.`,
};

export type CoreMessages = typeof en;
