import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { until } from '@dialogflow-functions/testing/wait';
import { startSmtpSink } from '../src/lib/smtp-sink';

describe('the SMTP sink', () => {
  // Found by `npm run test:load`: a worker killed while sending a mail reset its connection,
  // and the sink's unhandled 'error' event ended the load test (and would end `npm start`).
  it('outlives a client that resets its connection mid-session, and still takes mail', async () => {
    const errors: Error[] = [];
    const sink = await startSmtpSink({ onError: (e) => errors.push(e) });
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(sink.port, '127.0.0.1');
        socket.once('error', reject);
        socket.once('data', () => {
          socket.write('EHLO killed.example\r\nMAIL FROM:<a@b.example>\r\n');
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 50);
        });
      });
      // Once the sink has seen the reset (an event: a 200 ms sleep here could end first on a
      // starved CPU); the bound only limits a run where it never comes.
      const codes = () => errors.map((e) => (e as { code?: string }).code);
      await until(() => codes().includes('ECONNRESET'), 30_000, 'the reset reported').catch(
        () => undefined,
      );
      expect(codes()).toContain('ECONNRESET');
      const { createTransport } = await import('nodemailer');
      await createTransport(sink.url).sendMail({
        from: 'a@b.example',
        to: 'c@d.example',
        subject: 'after',
        text: 'still here',
      });
      expect(sink.mails.map((m) => m.subject)).toEqual(['after']);
    } finally {
      await sink.close();
    }
  });
});
