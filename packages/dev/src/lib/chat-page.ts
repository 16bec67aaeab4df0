/* eslint-disable @typescript-eslint/no-require-imports -- the widget's build only where its source is */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The sample page `npm start` serves on CHAT_PAGE_PORT: a small restaurant site with the
 * <dialogflow-chat> widget talking to the local chat function (another origin: the function's
 * CORS allow-list is what lets it). `?lang=zh-TW|ja` shows the page and the widget in that
 * language. In this repository (the `dff-source` condition) the widget is built from
 * packages/core/widget/src when the server starts; elsewhere it is the script the core package
 * ships (`@dialogflow-functions/core/widget`).
 */

export interface ChatPage {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Lang = 'en' | 'zh-TW' | 'ja';

const PAGE_TEXT: Record<
  Lang,
  { title: string; tagline: string; hours: string; menu: string[]; ask: string; switcher: string }
> = {
  en: {
    title: 'Hearth & Leaf Café',
    tagline: 'Coffee, tea and pastries, baked every morning.',
    hours: 'Open daily 08:00–21:00. Tables for up to 8.',
    menu: ['Latte', 'Matcha latte', 'Butter croissant', 'Oolong tea'],
    ask: 'Ask the assistant about your order, our stock or the weather, or book a table.',
    switcher: 'Language',
  },
  'zh-TW': {
    title: '爐葉咖啡館',
    tagline: '每天早上現烤的咖啡、茶與糕點。',
    hours: '每日 08:00–21:00 營業，每桌最多 8 位。',
    menu: ['拿鐵', '抹茶拿鐵', '奶油可頌', '烏龍茶'],
    ask: '可以向小幫手查詢訂單、庫存或天氣，也可以訂位。',
    switcher: '語言',
  },
  ja: {
    title: 'ハース＆リーフ カフェ',
    tagline: '毎朝焼き上げるコーヒー、お茶、ペストリー。',
    hours: '毎日 08:00–21:00 営業。1 テーブル 8 名様まで。',
    menu: ['ラテ', '抹茶ラテ', 'バタークロワッサン', '烏龍茶'],
    ask: 'ご注文や在庫、天気のお問い合わせ、ご予約はアシスタントへどうぞ。',
    switcher: '言語',
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page for a language; `chatUrl` is the chat function's endpoint. */
export function renderChatPage(chatUrl: string, lang: Lang): string {
  const t = PAGE_TEXT[lang];
  const link = (l: Lang, label: string) =>
    l === lang
      ? `<a href="/?lang=${l}" aria-current="page">${label}</a>`
      : `<a href="/?lang=${l}" hreflang="${l}" lang="${l}">${label}</a>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #2b2118; background: #faf6f1; }
  header, main, footer { max-width: 960px; margin: 0 auto; padding: 16px 24px; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 16px; flex-wrap: wrap; }
  h1 { margin: 0; font-size: 1.8rem; color: #6b2d0c; }
  nav a { color: #6b2d0c; margin-left: 12px; }
  main { display: grid; grid-template-columns: 1fr minmax(300px, 380px); gap: 32px; }
  @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
  dialogflow-chat { --df-chat-accent: #8a3b12; --df-chat-height: 540px; }
  a:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(t.title)}</h1>
  <nav aria-label="${escapeHtml(t.switcher)}">${link('en', 'English')}${link('zh-TW', '繁體中文')}${link('ja', '日本語')}</nav>
</header>
<main>
  <section aria-labelledby="about">
    <h2 id="about">${escapeHtml(t.tagline)}</h2>
    <p>${escapeHtml(t.hours)}</p>
    <ul>${t.menu.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>
    <p>${escapeHtml(t.ask)}</p>
  </section>
  <aside>
    <dialogflow-chat endpoint="${escapeHtml(chatUrl)}" language="${lang}" welcome-event="WELCOME"></dialogflow-chat>
  </aside>
</main>
<script src="/dialogflow-chat.js" defer></script>
</body>
</html>
`;
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/** The widget's script: built from its source when it is here, else the one core ships. */
export async function widgetScript(): Promise<string> {
  let build: typeof import('@dialogflow-functions/core/widget/build') | undefined;
  try {
    build = require('@dialogflow-functions/core/widget/build') as typeof build;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (build) return (await build.buildWidget()).code;
  return readFileSync(require.resolve('@dialogflow-functions/core/widget'), 'utf8');
}

/** Serves the page and the widget on 127.0.0.1:`port` (0: any free port). */
export async function startChatPage(options: {
  chatUrl: string;
  port: number;
  host?: string;
}): Promise<ChatPage> {
  const widget = await widgetScript();
  const chatOrigin = new URL(options.chatUrl).origin;
  const csp = [
    "default-src 'self'",
    `connect-src ${chatOrigin}`,
    "img-src 'self' https: data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.local');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'GET only', { allow: 'GET, HEAD' });
    } else if (url.pathname === '/') {
      const asked = url.searchParams.get('lang');
      const lang: Lang = asked === 'zh-TW' || asked === 'ja' ? asked : 'en';
      send(res, 200, 'text/html; charset=utf-8', renderChatPage(options.chatUrl, lang), {
        'content-security-policy': csp,
      });
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else if (url.pathname === '/dialogflow-chat.js') {
      send(res, 200, 'text/javascript; charset=utf-8', widget);
    } else {
      send(res, 404, 'text/plain', 'Not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
