import type { RestaurantMessages } from './en';

/** Japanese strings: a missing key is a compile error. */
export const ja: RestaurantMessages = {
  welcome: 'こんにちは！注文の確認、在庫の確認、天気のお知らせ、席の予約ができます。',
  welcomeSuggestions: ['注文 1001 を確認', '台北の天気', '席を予約'],
  fallback: 'すみません、よく分かりませんでした。別の言い方で教えていただけますか？',
  fallbackSuggestions: ['注文を確認', '在庫を確認', '天気'],
  backendSlow: '確認に通常より時間がかかっています。少ししてからもう一度お試しください。',
  backendDown: '申し訳ありません、現在確認できません。後ほどもう一度お試しください。',

  askOrderId: 'どのご注文ですか？注文番号を教えてください。',
  orderIdInvalid: '注文番号ではないようです。注文番号は 1001 のように英字と数字でできています。',
  orderNotFound: (p) => `注文 ${p.id} が見つかりませんでした。番号をご確認いただけますか？`,
  orderStatus: (p) => `注文 ${p.id} は${p.status}です。お届け予定日：${p.deliveryDate}。`,
  orderDelivered: (p) => `注文 ${p.id} は ${p.deliveryDate} にお届け済みです。`,
  orderCancelled: (p) => `注文 ${p.id} はキャンセルされたため、お届けはありません。`,
  orderCardTitle: (p) => `注文 ${p.id}`,
  orderCardDeliveryDate: (p) => `お届け予定日：${p.deliveryDate}`,
  orderCardDeliveredOn: (p) => `お届け日：${p.deliveryDate}`,
  orderSuggestions: ['別の注文を確認', '担当者と話す'],
  orderStatusNames: {
    pending: '受付待ち',
    processing: '準備中',
    shipped: '発送済み',
    delivered: 'お届け済み',
    cancelled: 'キャンセル済み',
  },

  askProduct: 'どの商品を確認しましょうか？',
  productUnknown: (p) => `「${p.product}」という商品は見つかりませんでした。`,
  productInStock: (p) => `${p.name}：在庫 ${p.stock} 点。`,
  productOutOfStock: (p) => `申し訳ありません、${p.name}は現在在庫切れです。`,

  askCity: 'どの都市ですか？',
  weatherNow: (p) =>
    `${p.city}の現在の天気：${p.description}、${p.temperature}°C${p.humidity === undefined ? '' : `、湿度 ${p.humidity}%`}。`,
  weatherSummary: (p) => `${p.description}、${p.temperature}°C`,
  weatherHumidity: (p) => `湿度 ${p.humidity}%`,
  weatherUnknownCity: (p) => `「${p.city}」という都市は見つかりませんでした。`,
  weatherUnavailable: '申し訳ありません、現在天気を取得できません。後ほどもう一度お試しください。',

  handoff:
    '担当者におつなぎします。このままお待ちください。まもなくこのチャットで担当者がお返事します。',

  askDate: 'ご予約はどの日にしますか？',
  askTime: '何時にしますか？',
  askPartySize: '何名様ですか？',
  askName: 'どなたのお名前でご予約しますか？',
  reservationQueued: (p) =>
    `承知しました：${p.date} ${p.time}、${p.partySize} 名様、${p.name} 様でご予約します。ただいま手配中です（受付番号 ${p.jobId}）。完了したらお知らせします。${p.jobId} の状況はいつでもお尋ねください。`,
  reservationPast: (p) => `${p.date} ${p.time} はすでに過ぎています。別の日にしますか？`,
  reservationDateInvalid: '日付ではないようです。ご予約はどの日にしますか？',
  reservationOffGrid: (p) =>
    `ご案内は ${p.first} から ${p.last} まで 30 分ごとのため、${p.time} はお受けできません。何時がよろしいですか？`,
  reservationPartyInvalid: '人数は 1 以上の整数でお願いします。何名様ですか？',
  reservationPartyTooLarge: (p) =>
    `1 テーブルは最大 ${p.max} 名様です。何名様ですか？（大人数の場合はお電話ください。）`,
  reservationNotQueued:
    '申し訳ありません、ただいまご予約を予約システムに送れなかったため、予約は行われていません。数分後にもう一度お試しください。',
  reservationConfirmed: (p) =>
    `${p.date} ${p.time}、${p.partySize} 名様、${p.name} 様のご予約が確定しました。確認コード：${p.code}。`,
  reservationFull: (p) =>
    `申し訳ありません、${p.date} ${p.time} は ${p.partySize} 名様分の空きがありません。別の時間をお選びください。`,
  jobRefused: (p) => `申し訳ありません、受付番号 ${p.jobId} はお受けできませんでした：${p.reason}`,
  jobUncertain: (p) =>
    `受付番号 ${p.jobId} が受け付けられたかどうか、今は確認できませんでした。1分ほどしてから受付番号 ${p.jobId} の状況をお尋ねください。`,
  taskIdInvalid: '受付番号ではないようです。受付番号は r-0a1b2c3d4e5f のような形です。',
  jobStatusQueued: (p) => `受付番号 ${p.jobId} は順番待ちです。まもなく処理を始めます。`,
  jobStatusRunning: (p) => `受付番号 ${p.jobId} はただいま処理中です。`,
  jobStatusDone: (p) => `受付番号 ${p.jobId} は完了しました。${p.result}`,
  jobNotFound: (p) => `受付番号 ${p.jobId} は見つかりませんでした。`,
  noJobs: 'まだご依頼はありません。',

  watchOrderQueued: (p) =>
    `承知しました。注文 ${p.orderId} を見守り、発送されたらすぐにお知らせします（受付番号 ${p.jobId}）。`,
  watchOrderNotQueued:
    '申し訳ありません、ただいまこの注文の見守りを開始できませんでした。数分後にもう一度お試しください。',
  watchOrderAlreadyShipped: (p) =>
    `朗報です：注文 ${p.orderId} はすでに${p.status}です（お届け予定日 ${p.deliveryDate}）。見守る必要はありません。`,
  watchOrderWatching: (p) =>
    `注文 ${p.orderId} を見守っています（受付番号 ${p.jobId}）。発送されたらお知らせします。`,
  watchOrderShipped: (p) =>
    `注文 ${p.orderId} は${p.status}です！お届け予定日：${p.deliveryDate}。`,
  watchOrderGaveUp: (p) =>
    `注文 ${p.orderId} は ${p.days} 日たっても発送されなかったため、見守りを終了しました。いつでもお尋ねください。`,
};
