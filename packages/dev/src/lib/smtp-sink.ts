import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/*
 * A loopback SMTP server standing in for a mail provider: `npm start` points SMTP_URL at it when
 * none is set, and prints each mail; tests read what arrived. Accepts any sender, recipient and
 * login (it is a sink), never relays.
 */

export interface ReceivedMail {
  messageId: string | undefined;
  from: string | undefined;
  to: string[];
  subject: string | undefined;
  text: string;
  headers: Record<string, string>;
  at: number;
}

export interface SmtpSink {
  /** `smtp://sink:sink@127.0.0.1:PORT` */
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Makes the next deliveries fail: a reply code (4xx temporary, 5xx permanent), or undefined. */
  failWith: number | undefined;
  /** Calls `listener` with each mail accepted from now on; returns the unsubscribe. */
  subscribe(listener: (mail: ReceivedMail) => void): () => void;
  close(): Promise<void>;
}

export async function startSmtpSink(
  options: {
    port?: number;
    onMail?: (mail: ReceivedMail) => void;
    /** A session that failed (a client that dropped): never fatal. */
    onError?: (err: Error) => void;
  } = {},
): Promise<SmtpSink> {
  const listeners = new Set<(mail: ReceivedMail) => void>();
  const sink: SmtpSink = {
    url: '',
    port: 0,
    mails: [],
    failWith: undefined,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    size: 1024 * 1024,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'sink' }),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.failWith) {
          const err = Object.assign(new Error('sink told to fail'), {
            responseCode: sink.failWith,
          });
          callback(err);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines) {
              headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
            }
            const mail: ReceivedMail = {
              messageId: parsed.messageId,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject,
              text: (parsed.text ?? '').trim(),
              headers,
              at: Date.now(),
            };
            sink.mails.push(mail);
            options.onMail?.(mail);
            for (const listener of listeners) {
              try {
                listener(mail);
              } catch {
                // A watcher's bug must not fail the delivery.
              }
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  // A client that drops mid-session (a worker killed while sending) is its own problem: the
  // SMTPServer emits that as 'error', which would otherwise end this process.
  server.on('error', (err: Error) => options.onError?.(err));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  sink.port = port;
  sink.url = `smtp://sink:sink@127.0.0.1:${port}`;
  return sink;
}
