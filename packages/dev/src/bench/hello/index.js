// The benchmark's baseline: the smallest HTTP function functions-framework can serve.
const { http } = require('@google-cloud/functions-framework');

http('hello', (_req, res) => {
  res.status(200).json({ fulfillmentText: 'hello' });
});
