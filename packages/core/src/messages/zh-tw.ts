import type { CoreMessages } from './en';

/** Traditional Chinese (Taiwan) framework strings: a missing key is a compile error. */
export const zhTW: CoreMessages = {
  suggestionsTitle: '你可以說：',
  choose: '選擇',
  stillWorking: '我還在處理中，請稍後再問我一次。',
  apology: '抱歉，系統發生問題，請再試一次。',
  jobNotQueued: (p) => `編號 ${p.jobId} 的請求並未排入佇列，因此沒有任何處理。請再問我一次。`,
  jobNotifySubject: (p) => `你的請求 ${p.jobId} 有新消息`,
  jobFailed: (p) => `抱歉，編號 ${p.jobId} 的請求未能完成，請再試一次。`,
};
