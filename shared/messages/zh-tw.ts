import type { Messages } from './en';

/** Traditional Chinese (Taiwan) catalogue: a missing key is a compile error. */
export const zhTW: Messages = {
  welcome: '嗨！我可以幫你查詢訂單、查看庫存、報告天氣，或是預約訂位。',
  welcomeSuggestions: ['查詢訂單 1001', '台北天氣', '預約訂位'],
  fallback: '抱歉，我不太明白。可以換個說法嗎？',
  fallbackSuggestions: ['查詢訂單', '查詢庫存', '天氣'],
  suggestionsTitle: '你可以說：',
  stillWorking: '我還在處理中，請稍後再問我一次。',
  apology: '抱歉，系統發生問題，請再試一次。',
};
