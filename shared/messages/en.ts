/** English catalogue. Its shape is the {@link Messages} type every language must fill. */
export const en = {
  welcome: 'Hi! I can check an order, look up stock, tell you the weather or book a table.',
  welcomeSuggestions: ['Check order 1001', 'Weather in Taipei', 'Book a table'],
  fallback: "Sorry, I didn't get that. Could you say it another way?",
  fallbackSuggestions: ['Check an order', 'Check stock', 'Weather'],
  suggestionsTitle: 'You can say:',
  stillWorking: "I'm still working on that. Please ask me again in a moment.",
  apology: 'Sorry, something went wrong on my side. Please try again.',
  backendSlow: 'Looking that up is taking longer than usual. Please try again in a moment.',
  backendDown: "Sorry, I can't look that up right now. Please try again later.",

  askOrderId: 'Which order? Please tell me the order number.',
  orderIdInvalid:
    "That doesn't look like an order number. Order numbers are letters and digits, like 1001.",
  orderNotFound: (p: { id: string }) =>
    `I couldn't find order ${p.id}. Could you check the number?`,
  orderStatus: (p: { id: string; status: string; deliveryDate: string }) =>
    `Order ${p.id} is ${p.status}. Delivery date: ${p.deliveryDate}.`,
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
  weatherUnknownCity: (p: { city: string }) => `I couldn't find a city called "${p.city}".`,
  weatherUnavailable: "Sorry, I can't get the weather right now. Please try again later.",

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
  jobFailed: (p: { jobId: string }) =>
    `Sorry, request ${p.jobId} could not be completed. Please try again.`,
  jobStatusQueued: (p: { jobId: string }) => `Request ${p.jobId} is queued; it will start shortly.`,
  jobStatusRunning: (p: { jobId: string }) => `Request ${p.jobId} is being processed right now.`,
  jobStatusDone: (p: { jobId: string; result: string }) =>
    `Request ${p.jobId} is done. ${p.result}`,
  jobNotFound: (p: { jobId: string }) => `I couldn't find a request ${p.jobId}.`,
  noJobs: "You don't have any requests with me yet.",
};

export type Messages = typeof en;
