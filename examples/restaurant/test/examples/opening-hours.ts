import * as z from 'zod';
import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { readDocument, type FirestoreFactory } from '@dialogflow-functions/core/firestore';
import type { Language } from '@dialogflow-functions/core/messages';

/** `hours/{YYYY-MM-DD}`: the opening hours of one day (no document: closed). */
const Hours = z.object({ open: z.string(), close: z.string() });
type Hours = z.infer<typeof Hours>;

// Every language the bot answers in must be here: a missing one does not compile.
const answer: Record<Language, (day: string, hours: Hours | undefined) => string> = {
  en: (day, h) => (h ? `On ${day} we are open ${h.open}–${h.close}.` : `We are closed on ${day}.`),
  'zh-TW': (day, h) => (h ? `${day} 營業時間 ${h.open}–${h.close}。` : `${day} 公休。`),
  ja: (day, h) => (h ? `${day} の営業時間は ${h.open}–${h.close} です。` : `${day} は定休日です。`),
};

/** opening_hours (date): the hours of the asked day, read within the turn's budget. */
export function openingHours(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    const day = ctx.params.date('date'); // 'YYYY-MM-DD' from ES or CX shapes, or undefined
    if (!day) return say(ctx.t.askDate);
    const hours = await readDocument(db, 'hours', day, Hours, ctx.budget);
    return say(answer[ctx.language](day, hours));
  };
}
