// The parts of nlp.js (https://github.com/axa-group/nlp.js, no type declarations) the stand-in uses.
declare module '@nlpjs/core' {
  export interface Container {
    use(plugin: unknown): void;
    registerConfiguration(
      tag: string,
      settings: Record<string, unknown>,
      overwrite?: boolean,
    ): void;
  }
  export function containerBootstrap(): Promise<Container>;
}
declare module '@nlpjs/nlu' {
  import type { Container } from '@nlpjs/core';
  export interface Classification {
    intent: string;
    score: number;
  }
  export class NluNeural {
    constructor(settings: Record<string, unknown>, container: Container);
    train(corpus: { utterance: string; intent: string }[]): Promise<unknown>;
    toJSON(): unknown;
    fromJSON(json: unknown): void;
    process(
      utterance: string,
      settings?: Record<string, unknown>,
    ): Promise<{ classifications: Classification[] }>;
  }
}
declare module '@nlpjs/lang-en' {
  export const LangEn: unknown;
}
declare module '@nlpjs/lang-zh' {
  export const LangZh: unknown;
}
declare module '@nlpjs/lang-ja' {
  export const LangJa: unknown;
}
