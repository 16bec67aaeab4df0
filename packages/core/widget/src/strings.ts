/** The widget's own words (the agent's replies come in the language it is asked in). */
export interface Strings {
  title: string;
  log: string;
  input: string;
  placeholder: string;
  send: string;
  typing: string;
  you: string;
  bot: string;
  offline: string;
  retrying: (seconds: number) => string;
  slowDown: (seconds: number) => string;
  failed: string;
  handoff: string;
  ended: string;
  restart: string;
  suggestions: string;
  opensInNewTab: string;
}

const en: Strings = {
  title: 'Chat with us',
  log: 'Conversation',
  input: 'Your message',
  placeholder: 'Type a message…',
  send: 'Send',
  typing: 'The assistant is typing…',
  you: 'You',
  bot: 'Assistant',
  offline: 'You are offline. Your message will be sent when the connection is back.',
  retrying: (s) => `Connection problem. Trying again in ${s} s…`,
  slowDown: (s) => `Too many messages. Trying again in ${s} s…`,
  failed: 'The message could not be sent. Please try again.',
  handoff: 'You are being connected to a person.',
  ended: 'The conversation has ended.',
  restart: 'New conversation',
  suggestions: 'Suggestions',
  opensInNewTab: '(opens in a new tab)',
};

const zhTW: Strings = {
  title: '線上客服',
  log: '對話內容',
  input: '你的訊息',
  placeholder: '輸入訊息…',
  send: '送出',
  typing: '客服正在輸入…',
  you: '你',
  bot: '客服',
  offline: '目前離線。恢復連線後會自動送出你的訊息。',
  retrying: (s) => `連線發生問題，${s} 秒後重試…`,
  slowDown: (s) => `訊息太多了，${s} 秒後重試…`,
  failed: '訊息無法送出，請再試一次。',
  handoff: '正在為你轉接真人客服。',
  ended: '對話已結束。',
  restart: '開始新對話',
  suggestions: '建議',
  opensInNewTab: '（在新分頁開啟）',
};

const ja: Strings = {
  title: 'チャットでお問い合わせ',
  log: '会話',
  input: 'メッセージ',
  placeholder: 'メッセージを入力…',
  send: '送信',
  typing: 'アシスタントが入力中…',
  you: 'あなた',
  bot: 'アシスタント',
  offline: 'オフラインです。接続が戻るとメッセージを送信します。',
  retrying: (s) => `接続に問題があります。${s} 秒後に再試行します…`,
  slowDown: (s) => `メッセージが多すぎます。${s} 秒後に再試行します…`,
  failed: 'メッセージを送信できませんでした。もう一度お試しください。',
  handoff: '担当者におつなぎしています。',
  ended: '会話は終了しました。',
  restart: '新しい会話',
  suggestions: '候補',
  opensInNewTab: '（新しいタブで開きます）',
};

/** The strings for a BCP-47 tag: zh-* Traditional Chinese, ja* Japanese, else English. */
export function stringsFor(language: string): Strings {
  const primary = language.toLowerCase().split(/[-_]/)[0];
  return primary === 'zh' ? zhTW : primary === 'ja' ? ja : en;
}
