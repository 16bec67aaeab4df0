/**
 * What a bot declares about itself, by declaration merging, so the framework's types follow it:
 *
 * ```ts
 * declare module '@dialogflow-functions/core' {
 *   interface Register {
 *     jobs: typeof jobs; // ctx.defer() accepts only these job requests
 *     env: z.infer<typeof env>; // config.* of the bot's own settings
 *     messages: typeof en; // ctx.t.* of the bot's own strings
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The bot's own settings (`defineBot({ env })`), merged into the configuration. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type RegisteredEnv = Register extends { env: infer E } ? E : {};

/** The bot's own message catalogue keys (`defineBot({ messages })`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type RegisteredMessages = Register extends { messages: infer M } ? M : {};
