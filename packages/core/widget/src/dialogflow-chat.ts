import { stringsFor, type Strings } from './strings';
import { STYLES } from './styles';

/*
 * <dialogflow-chat endpoint="https://…/chat" language="en" [welcome-event="WELCOME"]>
 * One script, no framework: a chat panel talking to the `chat` function (DESIGN.md, "Wire
 * formats"). The conversation (session token and what was shown) is kept per tab in
 * sessionStorage; messages typed while offline or refused for the moment (429, network, 5xx)
 * are sent again with backoff; a 401 starts a new session. Replies go into a `role="log"`
 * live region; everything is reachable by keyboard.
 */

/** The chat function's messages (@dialogflow-functions/core/chat: wire.ts). */
type Message =
  | { type: 'text'; text: string }
  | { type: 'chips'; chips: { text: string }[] }
  | {
      type: 'card';
      title: string;
      subtitle?: string;
      imageUrl?: string;
      buttons?: { text: string; url?: string; postback?: string }[];
    }
  | { type: 'image'; url: string; alt: string }
  | {
      type: 'list';
      title?: string;
      items: { title: string; subtitle?: string; postback?: string }[];
    }
  | { type: 'handoff' };

/** One entry of the conversation as shown (and kept in sessionStorage). */
type Entry =
  | { from: 'user'; text: string }
  | { from: 'bot'; message: Message }
  | { from: 'note'; note: 'handoff' | 'ended' };

interface Saved {
  session?: string;
  entries: Entry[];
}

type Query = { text: string } | { event: string };

const KEEP_ENTRIES = 100;
const MAX_CHARS = 256;
const BACKOFF_MAX_MS = 30_000;

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  text?: string,
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};

/** The browser knows it has no network (read afresh each time). */
const offline = (): boolean => !navigator.onLine;

const isWebUrl = (url: string | undefined): url is string =>
  typeof url === 'string' && /^https?:\/\//i.test(url);

export class DialogflowChat extends HTMLElement {
  static observedAttributes = ['language', 'endpoint'];

  private readonly root: ShadowRoot;
  private readonly log: HTMLDivElement;
  private readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly typing: HTMLDivElement;
  private readonly status: HTMLDivElement;
  private readonly heading: HTMLHeadingElement;
  private readonly restartButton: HTMLButtonElement;
  private readonly label: HTMLLabelElement;
  private t: Strings = stringsFor('en');
  private saved: Saved = { entries: [] };
  /** Queries waiting to go out, in order; the first is the one in flight. */
  private readonly queue: Query[] = [];
  private busy = false;
  /** Bumped by "New conversation": an answer to an older conversation is dropped. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = STYLES;
    const wrap = el('section', { class: 'w', part: 'container' });
    const header = el('header', { part: 'header' });
    this.heading = el('h2', { part: 'title', id: 'h' });
    this.restartButton = el('button', { type: 'button', part: 'restart' });
    this.restartButton.addEventListener('click', () => this.restart());
    header.append(this.heading, this.restartButton);
    // A div, not a list: role=log would take a list's semantics away from its items.
    this.log = el('div', {
      class: 'log',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      part: 'log',
      tabindex: '0',
    });
    this.typing = el('div', { class: 't', part: 'typing', role: 'status' });
    this.status = el('div', { class: 's', part: 'status', role: 'status' });
    const form = el('form', { part: 'form' });
    this.label = el('label', { class: 'sr', for: 'i' });
    this.input = el('input', {
      id: 'i',
      type: 'text',
      part: 'input',
      maxlength: String(MAX_CHARS),
      autocomplete: 'off',
      enterkeyhint: 'send',
    });
    this.sendButton = el('button', { type: 'submit', part: 'send' });
    form.append(this.label, this.input, this.sendButton);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      this.say(text);
    });
    wrap.setAttribute('aria-labelledby', 'h');
    wrap.append(header, this.log, this.typing, this.status, form);
    this.root.append(style, wrap);
  }

  connectedCallback(): void {
    this.applyStrings();
    this.saved = this.load();
    for (const entry of this.saved.entries) this.show(entry, false);
    window.addEventListener('online', this.onOnline);
    const welcome = this.getAttribute('welcome-event');
    if (this.saved.entries.length === 0 && welcome) this.enqueue({ event: welcome });
  }

  disconnectedCallback(): void {
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
  }

  attributeChangedCallback(name: string): void {
    if (name === 'language') this.applyStrings();
  }

  /** Sends `text` as if the user had typed it. */
  say(text: string): void {
    const clipped = [...text].slice(0, MAX_CHARS).join('');
    this.record({ from: 'user', text: clipped });
    this.enqueue({ text: clipped });
  }

  private get language(): string {
    return this.getAttribute('language') || document.documentElement.lang || 'en';
  }

  private get storageKey(): string {
    return `dialogflow-chat:${this.getAttribute('endpoint') ?? ''}`;
  }

  private applyStrings(): void {
    this.t = stringsFor(this.language);
    this.heading.textContent = this.getAttribute('heading') || this.t.title;
    this.log.setAttribute('aria-label', this.t.log);
    this.label.textContent = this.t.input;
    this.input.placeholder = this.t.placeholder;
    this.sendButton.textContent = this.t.send;
    this.restartButton.textContent = this.t.restart;
    this.typing.setAttribute('aria-label', this.busy ? this.t.typing : '');
  }

  private load(): Saved {
    try {
      const raw = sessionStorage.getItem(this.storageKey);
      const saved = raw ? (JSON.parse(raw) as Saved) : undefined;
      if (saved && Array.isArray(saved.entries)) return saved;
    } catch {
      // Storage unavailable or corrupt: start afresh.
    }
    return { entries: [] };
  }

  private persist(): void {
    this.saved.entries = this.saved.entries.slice(-KEEP_ENTRIES);
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(this.saved));
    } catch {
      // Private mode or full: the conversation just is not kept.
    }
  }

  private record(entry: Entry): void {
    this.saved.entries.push(entry);
    this.persist();
    this.show(entry, true);
  }

  private restart(): void {
    this.queue.length = 0;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.saved = { entries: [] };
    this.persist();
    this.log.replaceChildren();
    this.setStatus('');
    this.input.focus();
    const welcome = this.getAttribute('welcome-event');
    if (welcome) this.enqueue({ event: welcome });
  }

  private readonly onOnline = (): void => {
    if (this.queue.length > 0 && !this.busy) {
      clearTimeout(this.retryTimer);
      void this.pump();
    }
  };

  private enqueue(query: Query): void {
    this.queue.push(query);
    if (!this.busy && this.retryTimer === undefined) void this.pump();
  }

  private setTyping(on: boolean): void {
    this.busy = on;
    this.typing.replaceChildren(...(on ? [el('i'), el('i'), el('i')] : []));
    this.typing.setAttribute('aria-label', on ? this.t.typing : '');
    if (on) this.typing.append(el('span', { class: 'sr' }, this.t.typing));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  /** Sends the queue's first query; on success the next, on a passing failure again later. */
  private async pump(): Promise<void> {
    this.retryTimer = undefined;
    const query = this.queue[0];
    if (!query || this.busy) return;
    if (offline()) {
      this.setStatus(this.t.offline);
      return; // the `online` event sends it
    }
    this.setTyping(true);
    const generation = this.generation;
    let retryIn: number | undefined;
    let notice = '';
    try {
      const res = await fetch(this.getAttribute('endpoint') ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...query,
          languageCode: this.language,
          ...(this.saved.session ? { session: this.saved.session } : {}),
        }),
      });
      if (generation !== this.generation) {
        // The conversation was restarted meanwhile: this answer belongs to the old one.
      } else if (res.status === 401 && this.saved.session) {
        // Expired or refused: the same question in a new session.
        this.saved.session = undefined;
        this.persist();
        retryIn = 0;
      } else if (res.status === 429) {
        const seconds = Math.max(1, Number(res.headers.get('retry-after')) || 1);
        retryIn = seconds * 1000;
        notice = this.t.slowDown(seconds);
      } else if (res.status >= 500) {
        retryIn = this.backoff();
        notice = this.t.retrying(Math.round(retryIn / 1000));
      } else if (!res.ok) {
        this.queue.shift();
        this.attempt = 0;
        this.record({ from: 'bot', message: { type: 'text', text: this.t.failed } });
      } else {
        const body = (await res.json()) as {
          session?: string;
          messages?: Message[];
          end?: boolean;
        };
        this.queue.shift();
        this.attempt = 0;
        this.saved.session = body.end ? undefined : body.session;
        for (const message of body.messages ?? []) this.record({ from: 'bot', message });
        if (body.end) this.record({ from: 'note', note: 'ended' });
      }
    } catch {
      // Offline or the server unreachable: try again with backoff (or when back online).
      retryIn = this.backoff();
      notice = offline() ? this.t.offline : this.t.retrying(Math.round(retryIn / 1000));
    }
    this.setTyping(false);
    this.setStatus(notice);
    if (retryIn !== undefined) {
      this.retryTimer = setTimeout(() => void this.pump(), retryIn);
    } else if (this.queue.length > 0) {
      void this.pump();
    }
  }

  /** 1 s, 2 s, 4 s, … up to 30 s, with jitter so many tabs do not come back at once. */
  private backoff(): number {
    const base = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** this.attempt++);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Adds an entry to the log; `live`: just now (scrolled into view). */
  private show(entry: Entry, live: boolean): void {
    const item = this.render(entry);
    if (!item) return;
    // Only the latest suggestions can be picked: a new turn or new chips retire the old ones.
    if (entry.from === 'user' || item.classList.contains('chipset')) {
      this.log.querySelectorAll('.chipset').forEach((old) => old.remove());
    }
    this.log.append(item);
    if (live) item.scrollIntoView?.({ block: 'end' });
  }

  private render(entry: Entry): HTMLElement | undefined {
    if (entry.from === 'user') {
      const li = el('div', { class: 'm user', part: 'message message-user' });
      li.append(el('span', { class: 'sr' }, `${this.t.you}: `), entry.text);
      return li;
    }
    if (entry.from === 'note') {
      return el(
        'div',
        { class: 'note', part: 'note' },
        entry.note === 'ended' ? this.t.ended : this.t.handoff,
      );
    }
    const m = entry.message;
    const who = el('span', { class: 'sr' }, `${this.t.bot}: `);
    switch (m.type) {
      case 'text': {
        const li = el('div', { class: 'm bot', part: 'message message-bot' });
        li.append(who, m.text);
        return li;
      }
      case 'chips': {
        const li = el('div', { class: 'chipset', part: 'chips' });
        const group = el('div', {
          class: 'chips',
          role: 'group',
          'aria-label': this.t.suggestions,
        });
        for (const chip of m.chips) group.append(this.postbackButton(chip.text, chip.text, 'chip'));
        li.append(group);
        return li;
      }
      case 'card': {
        const li = el('div', { class: 'rich', part: 'message message-bot' });
        const card = el('article', { class: 'card', part: 'card' });
        if (isWebUrl(m.imageUrl))
          card.append(el('img', { src: m.imageUrl, alt: '', part: 'card-image' }));
        const body = el('div', { class: 'b' });
        body.append(who, el('h3', { part: 'card-title' }, m.title));
        if (m.subtitle) body.append(el('p', { part: 'card-subtitle' }, m.subtitle));
        card.append(body);
        const actions = el('div', { class: 'acts' });
        for (const b of m.buttons ?? []) {
          if (isWebUrl(b.url)) {
            const a = el(
              'a',
              {
                class: 'btn',
                href: b.url,
                target: '_blank',
                rel: 'noopener noreferrer',
                part: 'card-button',
              },
              b.text,
            );
            a.append(el('span', { class: 'sr' }, ` ${this.t.opensInNewTab}`));
            actions.append(a);
          } else if (b.postback) {
            actions.append(this.postbackButton(b.text, b.postback, 'card-button'));
          }
        }
        if (actions.childElementCount > 0) card.append(actions);
        li.append(card);
        return li;
      }
      case 'image': {
        if (!isWebUrl(m.url)) return undefined;
        const li = el('div', { class: 'rich', part: 'message message-bot' });
        li.append(el('img', { class: 'img', src: m.url, alt: m.alt, part: 'image' }));
        return li;
      }
      case 'list': {
        const li = el('div', { class: 'rich list', part: 'message message-bot' });
        li.append(who);
        if (m.title) li.append(el('h3', { part: 'list-title' }, m.title));
        const ul = el('ul', { class: 'list', part: 'list' });
        for (const item of m.items) {
          const row = el('li', { part: 'list-item' });
          const label = el('span', {}, item.title);
          const content = item.subtitle ? [label, el('small', {}, item.subtitle)] : [label];
          if (item.postback) {
            const b = this.postbackButton('', item.postback, 'list-button');
            b.replaceChildren(...content);
            row.append(b);
          } else {
            row.append(...content);
          }
          ul.append(row);
        }
        li.append(ul);
        return li;
      }
      case 'handoff':
        return el('div', { class: 'note', part: 'note handoff' }, this.t.handoff);
    }
    return undefined;
  }

  /** A button that sends `postback` as the user's words, then returns focus to the input. */
  private postbackButton(text: string, postback: string, part: string): HTMLButtonElement {
    const b = el('button', { type: 'button', part }, text);
    b.addEventListener('click', () => {
      this.say(postback);
      this.input.focus();
    });
    return b;
  }
}

if (!customElements.get('dialogflow-chat'))
  customElements.define('dialogflow-chat', DialogflowChat);
