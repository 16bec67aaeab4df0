import { lazyAsync } from '../lazy';
import { defineChannel, PermanentDeliveryError } from './channel';

type Transporter = import('nodemailer').Transporter;

/**
 * Email over SMTP (nodemailer; `SMTP_URL` `smtp://user:pass@host:port`, `smtps://` for TLS) to
 * the address the user gave. One mail per notification with a stable Message-ID, so a resend
 * after a crash is recognisable as the same message.
 */
export const email = defineChannel({
  name: 'email',
  needsRecipient: true,
  create(config, { timeoutMs }) {
    const smtpUrl = config.email.smtpUrl;
    if (!smtpUrl) return undefined;
    const from = config.email.from;
    const domain = from.slice(from.lastIndexOf('@') + 1) || 'localhost';
    // nodemailer is loaded with the first mail, never at cold start.
    const transport = lazyAsync<Transporter>(() =>
      import('nodemailer').then((m) =>
        m.createTransport({
          url: smtpUrl,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        }),
      ),
    );
    return async (n) => {
      if (!n.to) return;
      try {
        await (
          await transport()
        ).sendMail({
          from,
          to: n.to,
          subject: n.subject,
          text: n.text,
          messageId: `<${n.key}@${domain}>`,
          headers: { 'X-Job-Id': n.jobId },
        });
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        const envelope = (err as { code?: unknown }).code === 'EENVELOPE';
        if ((typeof code === 'number' && code >= 500) || envelope) {
          throw new PermanentDeliveryError(
            'email',
            `the mail server refused the message (${String(code ?? 'envelope')})`,
          );
        }
        throw err;
      }
    };
  },
});
