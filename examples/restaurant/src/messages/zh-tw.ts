import type { RestaurantMessages } from './en';

/** Traditional Chinese (Taiwan) strings: a missing key is a compile error. */
export const zhTW: RestaurantMessages = {
  welcome: '嗨！我可以幫你查詢訂單、查看庫存、報告天氣，或是預約訂位。',
  welcomeSuggestions: ['查詢訂單 1001', '台北天氣', '預約訂位'],
  fallback: '抱歉，我不太明白。可以換個說法嗎？',
  fallbackSuggestions: ['查詢訂單', '查詢庫存', '天氣'],
  backendSlow: '查詢時間比平常久，請稍後再試一次。',
  backendDown: '抱歉，目前無法查詢，請稍後再試。',

  askOrderId: '請問是哪一筆訂單？請告訴我訂單編號。',
  orderIdInvalid: '這看起來不像訂單編號。訂單編號由英文字母和數字組成，例如 1001。',
  orderNotFound: (p) => `找不到訂單 ${p.id}，請確認編號是否正確。`,
  orderStatus: (p) => `訂單 ${p.id} 目前${p.status}，預計送達日期：${p.deliveryDate}。`,
  orderDelivered: (p) => `訂單 ${p.id} 已於 ${p.deliveryDate} 送達。`,
  orderCancelled: (p) => `訂單 ${p.id} 已取消，因此不會配送。`,
  orderCardTitle: (p) => `訂單 ${p.id}`,
  orderCardDeliveryDate: (p) => `預計送達日期：${p.deliveryDate}`,
  orderCardDeliveredOn: (p) => `送達日期：${p.deliveryDate}`,
  orderSuggestions: ['查詢其他訂單', '找真人客服'],
  orderStatusNames: {
    pending: '等待處理',
    processing: '正在備貨',
    shipped: '已出貨',
    delivered: '已送達',
    cancelled: '已取消',
  },

  askProduct: '請問要查詢哪一項商品？',
  productUnknown: (p) => `找不到名為「${p.product}」的商品。`,
  productInStock: (p) => `${p.name}：庫存 ${p.stock} 件。`,
  productOutOfStock: (p) => `抱歉，${p.name} 目前缺貨。`,

  askCity: '請問是哪個城市？',
  weatherNow: (p) =>
    `${p.city}現在${p.description}，氣溫 ${p.temperature}°C${p.humidity === undefined ? '' : `，濕度 ${p.humidity}%`}。`,
  weatherSummary: (p) => `${p.description}，${p.temperature}°C`,
  weatherHumidity: (p) => `濕度 ${p.humidity}%`,
  weatherUnknownCity: (p) => `找不到名為「${p.city}」的城市。`,
  weatherUnavailable: '抱歉，目前無法取得天氣資訊，請稍後再試。',

  handoff: '正在為你轉接客服人員，請留在這個對話中，專人很快就會回覆你。',

  askDate: '請問要預約哪一天？',
  askTime: '請問幾點？',
  askPartySize: '請問幾位？',
  askName: '請問訂位大名？',
  reservationQueued: (p) =>
    `收到：${p.date} ${p.time}，${p.partySize} 位，${p.name} 訂位。正在為你預約（編號 ${p.jobId}），完成後會通知你；也可以問我 ${p.jobId} 的進度。`,
  reservationPast: (p) => `${p.date} ${p.time} 已經過了。請問要改訂哪一天？`,
  reservationDateInvalid: '這看起來不像日期。請問要預約哪一天？',
  reservationOffGrid: (p) =>
    `我們每半小時安排入座，時段為 ${p.first} 到 ${p.last}，所以 ${p.time} 無法預約。請問幾點比較方便？`,
  reservationPartyInvalid: '人數必須是至少一位的整數。請問幾位？',
  reservationPartyTooLarge: (p) => `每桌最多 ${p.max} 位。請問幾位？（人數較多請來電洽詢。）`,
  reservationNotQueued: '抱歉，目前無法將你的訂位送到預約系統，因此尚未訂位。請幾分鐘後再試一次。',
  reservationConfirmed: (p) =>
    `已確認 ${p.date} ${p.time}，${p.partySize} 位，${p.name} 的訂位。確認碼：${p.code}。`,
  reservationFull: (p) =>
    `抱歉，${p.date} ${p.time} 已無 ${p.partySize} 位的空位，請改選其他時段。`,
  jobRefused: (p) => `抱歉，編號 ${p.jobId} 的請求無法完成：${p.reason}`,
  jobUncertain: (p) =>
    `我現在無法確認編號 ${p.jobId} 的請求是否已送出。請過一分鐘再問我 ${p.jobId} 的狀態，我會告訴你。`,
  taskIdInvalid: '這看起來不像請求編號。請求編號的格式像 r-0a1b2c3d4e5f。',
  jobStatusQueued: (p) => `編號 ${p.jobId} 的請求已排入佇列，即將開始處理。`,
  jobStatusRunning: (p) => `編號 ${p.jobId} 的請求正在處理中。`,
  jobStatusDone: (p) => `編號 ${p.jobId} 的請求已完成。${p.result}`,
  jobNotFound: (p) => `找不到編號 ${p.jobId} 的請求。`,
  noJobs: '你目前還沒有任何請求。',

  watchOrderQueued: (p) => `好的，我會留意訂單 ${p.orderId}，一出貨就通知你（編號 ${p.jobId}）。`,
  watchOrderNotQueued: '抱歉，目前無法開始追蹤這筆訂單，請幾分鐘後再試一次。',
  watchOrderAlreadyShipped: (p) =>
    `好消息：訂單 ${p.orderId} 已經${p.status}（預計送達日期 ${p.deliveryDate}），不需要追蹤。`,
  watchOrderWatching: (p) => `我正在追蹤訂單 ${p.orderId}（編號 ${p.jobId}），出貨時會通知你。`,
  watchOrderShipped: (p) => `訂單 ${p.orderId} ${p.status}！預計送達日期：${p.deliveryDate}。`,
  watchOrderGaveUp: (p) =>
    `訂單 ${p.orderId} 在 ${p.days} 天後仍未出貨，我已停止追蹤。你隨時可以再問我。`,
};
