/**
 * The restaurant's English strings. Their shape is the {@link RestaurantMessages} type every
 * language must fill (registered as `Register['messages']` in bot.ts).
 */
export const en = {
  welcome: 'Hi! I can check an order, look up stock, tell you the weather or book a table.',
  welcomeSuggestions: ['Check order 1001', 'Weather in Taipei', 'Book a table'],
  fallback: "Sorry, I didn't get that. Could you say it another way?",
  fallbackSuggestions: ['Check an order', 'Check stock', 'Weather'],
  backendSlow: 'Looking that up is taking longer than usual. Please try again in a moment.',
  backendDown: "Sorry, I can't look that up right now. Please try again later.",

  askOrderId: 'Which order? Please tell me the order number.',
  orderIdInvalid:
    "That doesn't look like an order number. Order numbers are letters and digits, like 1001.",
  orderNotFound: (p: { id: string }) =>
    `I couldn't find order ${p.id}. Could you check the number?`,
  orderStatus: (p: { id: string; status: string; deliveryDate: string }) =>
    `Order ${p.id} is ${p.status}. Delivery date: ${p.deliveryDate}.`,
  orderDelivered: (p: { id: string; deliveryDate: string }) =>
    `Order ${p.id} was delivered on ${p.deliveryDate}.`,
  orderCancelled: (p: { id: string }) => `Order ${p.id} was cancelled, so it won't be delivered.`,
  orderCardTitle: (p: { id: string }) => `Order ${p.id}`,
  orderCardDeliveryDate: (p: { deliveryDate: string }) => `Delivery date: ${p.deliveryDate}`,
  orderCardDeliveredOn: (p: { deliveryDate: string }) => `Delivered on ${p.deliveryDate}`,
  orderSuggestions: ['Check another order', 'Talk to a person'],
  orderStatusNames: {
    pending: 'pending',
    processing: 'being prepared',
    shipped: 'on its way',
    delivered: 'delivered',
    cancelled: 'cancelled',
  } as Record<string, string>,

  askProduct: 'Which product would you like me to check?',
  productUnknown: (p: { product: string }) => `I don't know a product called "${p.product}".`,
  productInStock: (p: { name: string; stock: number }) => `${p.name}: ${p.stock} in stock.`,
  productOutOfStock: (p: { name: string }) => `Sorry, ${p.name} is out of stock right now.`,

  askCity: 'Which city?',
  weatherNow: (p: { city: string; description: string; temperature: string; humidity?: number }) =>
    `Now in ${p.city}: ${p.description}, ${p.temperature}°C${p.humidity === undefined ? '' : `, humidity ${p.humidity}%`}.`,
  weatherSummary: (p: { description: string; temperature: string }) =>
    `${p.description}, ${p.temperature}°C`,
  weatherHumidity: (p: { humidity: number }) => `Humidity ${p.humidity}%`,
  weatherUnknownCity: (p: { city: string }) => `I couldn't find a city called "${p.city}".`,
  weatherUnavailable: "Sorry, I can't get the weather right now. Please try again later.",

  handoff:
    "I'm passing you to a member of our team. Please stay here: they will reply in this chat shortly.",

  askDate: 'For which date would you like to book?',
  askTime: 'At what time?',
  askPartySize: 'For how many people?',
  askName: 'Under what name should I book the table?',
  reservationQueued: (p: {
    jobId: string;
    date: string;
    time: string;
    partySize: number;
    name: string;
  }) =>
    `Got it: a table for ${p.partySize} on ${p.date} at ${p.time}, under ${p.name}. I'm booking it now (request ${p.jobId}) and will let you know; you can also ask me for the status of ${p.jobId}.`,
  reservationPast: (p: { date: string; time: string }) =>
    `${p.date} at ${p.time} has already passed. Which date would you like instead?`,
  reservationDateInvalid: "That doesn't look like a date. Which date would you like to book?",
  reservationOffGrid: (p: { time: string; first: string; last: string }) =>
    `We seat guests every half hour from ${p.first} to ${p.last}, so ${p.time} isn't available. What time would suit you?`,
  reservationPartyInvalid:
    'The party size must be a whole number of at least one. For how many people?',
  reservationPartyTooLarge: (p: { max: number }) =>
    `A table holds at most ${p.max} people. For how many people? (For larger groups, please call us.)`,
  reservationNotQueued:
    "Sorry, I couldn't pass your reservation on to our booking system just now, so nothing was booked. Please try again in a few minutes.",
  reservationConfirmed: (p: {
    code: string;
    date: string;
    time: string;
    partySize: number;
    name: string;
  }) =>
    `Your table for ${p.partySize} on ${p.date} at ${p.time} under ${p.name} is confirmed. Confirmation code: ${p.code}.`,
  reservationFull: (p: { date: string; time: string; partySize: number }) =>
    `Sorry, ${p.date} at ${p.time} is fully booked for ${p.partySize}. Please try another time.`,
  jobRefused: (p: { jobId: string; reason: string }) =>
    `Sorry, request ${p.jobId} could not be done: ${p.reason}`,
  jobUncertain: (p: { jobId: string }) =>
    `I couldn't confirm just now whether request ${p.jobId} went through. Ask me about request ${p.jobId} in a minute and I'll tell you.`,
  taskIdInvalid:
    "That doesn't look like a request number. Request numbers look like r-0a1b2c3d4e5f.",
  jobStatusQueued: (p: { jobId: string }) => `Request ${p.jobId} is queued; it will start shortly.`,
  jobStatusRunning: (p: { jobId: string }) => `Request ${p.jobId} is being processed right now.`,
  jobStatusDone: (p: { jobId: string; result: string }) =>
    `Request ${p.jobId} is done. ${p.result}`,
  jobNotFound: (p: { jobId: string }) => `I couldn't find a request ${p.jobId}.`,
  noJobs: "You don't have any requests with me yet.",

  watchOrderQueued: (p: { orderId: string; jobId: string }) =>
    `OK, I'll watch order ${p.orderId} and tell you as soon as it ships (request ${p.jobId}).`,
  watchOrderNotQueued:
    "Sorry, I couldn't start watching that order just now. Please try again in a few minutes.",
  watchOrderAlreadyShipped: (p: { orderId: string; status: string; deliveryDate: string }) =>
    `Good news: order ${p.orderId} is already ${p.status} (delivery date ${p.deliveryDate}), so there is nothing to watch.`,
  watchOrderWatching: (p: { orderId: string; jobId: string }) =>
    `I'm watching order ${p.orderId} (request ${p.jobId}) and will tell you when it ships.`,
  watchOrderShipped: (p: { orderId: string; status: string; deliveryDate: string }) =>
    `Order ${p.orderId} is ${p.status}! Delivery date: ${p.deliveryDate}.`,
  watchOrderGaveUp: (p: { orderId: string; days: number }) =>
    `Order ${p.orderId} still hasn't shipped after ${p.days} days, so I've stopped watching it. Ask me about it any time.`,
};

export type RestaurantMessages = typeof en;
