import { describe, expect, it } from 'vitest';
import { serveFunction } from '../src/serve';

/*
 * serveFunction: a handler behind functions-framework's own server on loopback, several at once,
 * each closed by itself.
 */

describe('serveFunction', () => {
  it('serves each handler as functions-framework does, on its own loopback port', async () => {
    const echo = await serveFunction((req, res) => {
      res.json({ body: req.body as unknown, raw: req.rawBody?.toString('utf8') });
    });
    const teapot = await serveFunction((_req, res) => {
      res.status(418).send('short and stout');
    });
    try {
      expect(echo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(teapot.url).not.toBe(echo.url);
      const res = await fetch(echo.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n": 1}',
      });
      expect(await res.json()).toEqual({ body: { n: 1 }, raw: '{"n": 1}' });
      const tea = await fetch(teapot.url);
      expect([tea.status, await tea.text()]).toEqual([418, 'short and stout']);
    } finally {
      await teapot.close();
    }
    // One closed, the other still serves; then it is closed too, open connections included.
    expect((await fetch(echo.url, { method: 'POST', body: '' })).status).toBe(200);
    await echo.close();
    await expect(fetch(echo.url)).rejects.toThrow();
  });
});
