import type { CoreMessages } from './en';

/** Japanese framework strings: a missing key is a compile error. */
export const ja: CoreMessages = {
  suggestionsTitle: 'こちらをどうぞ：',
  choose: '選ぶ',
  stillWorking: 'まだ処理中です。少ししてからもう一度お尋ねください。',
  apology: '申し訳ありません、こちらで問題が発生しました。もう一度お試しください。',
  jobNotQueued: (p) =>
    `受付番号 ${p.jobId} は受け付けられていなかったため、何も行われていません。もう一度お申し付けください。`,
  jobNotifySubject: (p) => `受付番号 ${p.jobId} のお知らせ`,
  jobFailed: (p) =>
    `申し訳ありません、受付番号 ${p.jobId} は完了できませんでした。もう一度お試しください。`,
};
