/*
 * The dev console page: plain DOM, no build step. Talks to the console's JSON API and listens
 * to its server-sent events (jobs, Cloud Tasks dispatches, notifications). Every string from
 * the bot or the user is put in the page as text, never as HTML.
 */
'use strict';

const LABELS = {
  en: {
    title: 'Dialogflow dev console',
    edition: 'Edition',
    language: 'Language',
    platform: 'Platform',
    newConversation: 'New conversation',
    uiLanguage: 'Interface',
    conversation: 'Conversation',
    typeSentence: 'Type a sentence',
    sentencePlaceholder: 'Type a sentence, e.g. “where is my order 1001”',
    send: 'Send',
    intent: 'Intent',
    otherIntent: 'intent display name or CX tag',
    other: 'other…',
    addParameter: '+ parameter',
    sendIntent: 'Send intent',
    keys: '/ sentence · Alt+I intent · Alt+E ES/CX · Alt+N new conversation · Esc back to the composer',
    exchange: 'Exchange',
    jobs: 'Jobs',
    thisConversation: 'this conversation',
    all: 'all',
    notifications: 'Notifications',
    noTurns: 'Say something, or pick an intent below.',
    noTurnSelected: 'Send a turn to see its request, response and verdict here.',
    standInMissing:
      'Typing a sentence needs the local Dialogflow stand-in (npm start runs it). Pick an intent meanwhile.',
    standIn: 'DetectIntent via the stand-in at',
    valid: 'Valid WebhookResponse',
    invalid: 'Dialogflow would reject this response',
    problems: 'problems',
    noWebhook: 'No webhook call in this turn',
    webhookReported: 'Webhook call as DetectIntent reports it',
    latency: 'Latency',
    budget: 'budget',
    dialogflowWaits: 'Dialogflow waits',
    httpStatus: 'HTTP',
    bytes: 'bytes',
    request: 'Request',
    response: 'Response',
    detectRequest: 'DetectIntent request',
    detectResponse: 'DetectIntent response',
    matched: 'Matched',
    confidence: 'confidence',
    why: 'Why it matched',
    looksLike:
      'The text looks like {lang}, not the language selected: the stand-in understands the selected language only.',
    whySource: {
      exact: 'an exact training phrase',
      classifier: 'the classifier',
      none: 'nothing above the threshold',
    },
    parameters: 'Parameters',
    stateAfter: 'State after this turn',
    contexts: 'ES contexts',
    sessionParameters: 'CX session parameters',
    jobIds: 'Job ids',
    none: 'none',
    notes: 'Dialogflow would then',
    turnTitle: 'Turn {n}',
    outcome: { done: 'done', retry: 'retry', 'gave-up': 'gave up' },
    lineUser: 'LINE user',
    attempts: 'attempts',
    attempt: 'attempt',
    noJobs: 'No jobs yet.',
    noNotifications: 'No notifications yet.',
    queuedInTasks: 'in the queue, next attempt',
    dispatches: 'Cloud Tasks dispatches',
    verified: 'verified',
    notVerified: 'NOT verified',
    unsigned: 'unsigned channel',
    inConversation: 'this conversation',
    job: 'job',
    live: 'live',
    reconnecting: 'reconnecting…',
    error: 'Error',
    sending: 'sending…',
    handoff: 'Handed over to a human agent',
    end: 'The conversation ended',
    showImage: 'load image',
    asSeenOn: 'as seen on',
    defaultPlatform: 'the default platform',
    result: 'result',
    now: 'now',
    optional: 'optional',
  },
  'zh-TW': {
    title: 'Dialogflow 開發主控台',
    edition: '版本',
    language: '語言',
    platform: '平台',
    newConversation: '新對話',
    uiLanguage: '介面',
    conversation: '對話',
    typeSentence: '輸入一句話',
    sentencePlaceholder: '輸入一句話，例如「我的訂單 1001 在哪裡」',
    send: '送出',
    intent: '意圖',
    otherIntent: '意圖顯示名稱或 CX 標記',
    other: '其他…',
    addParameter: '＋ 參數',
    sendIntent: '送出意圖',
    keys: '/ 輸入句子 · Alt+I 意圖 · Alt+E ES/CX · Alt+N 新對話 · Esc 回到輸入區',
    exchange: '請求與回應',
    jobs: '工作',
    thisConversation: '此對話',
    all: '全部',
    notifications: '通知',
    noTurns: '說點什麼，或在下方選一個意圖。',
    noTurnSelected: '送出一輪對話後，這裡會顯示請求、回應與檢查結果。',
    standInMissing: '輸入句子需要本機 Dialogflow 替身（npm start 會啟動它）。目前請先選擇意圖。',
    standIn: '透過替身 DetectIntent：',
    valid: 'WebhookResponse 格式正確',
    invalid: 'Dialogflow 會拒絕這個回應',
    problems: '個問題',
    noWebhook: '這一輪沒有呼叫 webhook',
    webhookReported: 'DetectIntent 回報的 webhook 呼叫',
    latency: '延遲',
    budget: '預算',
    dialogflowWaits: 'Dialogflow 最多等',
    httpStatus: 'HTTP',
    bytes: '位元組',
    request: '請求',
    response: '回應',
    detectRequest: 'DetectIntent 請求',
    detectResponse: 'DetectIntent 回應',
    matched: '比對到',
    confidence: '信心',
    why: '為何比對到',
    looksLike: '這段文字看起來是 {lang}，不是所選的語言：模擬器只理解所選的語言。',
    whySource: { exact: '完全相同的訓練語句', classifier: '分類器', none: '沒有超過門檻的意圖' },
    parameters: '參數',
    stateAfter: '這一輪之後的狀態',
    contexts: 'ES 情境',
    sessionParameters: 'CX 工作階段參數',
    jobIds: '工作編號',
    none: '無',
    notes: 'Dialogflow 接著會',
    turnTitle: '第 {n} 輪',
    outcome: { done: '完成', retry: '將重試', 'gave-up': '已放棄' },
    lineUser: 'LINE 使用者',
    attempts: '次嘗試',
    attempt: '次嘗試',
    noJobs: '還沒有工作。',
    noNotifications: '還沒有通知。',
    queuedInTasks: '在佇列中，下次嘗試',
    dispatches: 'Cloud Tasks 派送',
    verified: '已驗證',
    notVerified: '驗證失敗',
    unsigned: '此管道無簽章',
    inConversation: '此對話',
    job: '工作',
    live: '即時',
    reconnecting: '重新連線中…',
    error: '錯誤',
    sending: '傳送中…',
    handoff: '已轉接真人客服',
    end: '對話已結束',
    showImage: '載入圖片',
    asSeenOn: '顯示於',
    defaultPlatform: '預設平台',
    result: '結果',
    now: '現在',
    optional: '選填',
  },
};

const STATUS_LABELS = {
  en: { queued: 'queued', running: 'running', succeeded: 'succeeded', failed: 'failed' },
  'zh-TW': { queued: '排隊中', running: '執行中', succeeded: '已完成', failed: '失敗' },
};
const CHANNEL_LABELS = {
  en: { line: 'LINE push', slack: 'Slack', webhook: 'Signed webhook', email: 'Email' },
  'zh-TW': { line: 'LINE 推播', slack: 'Slack', webhook: '簽章 webhook', email: '電子郵件' },
};
const SOURCE_LABELS = {
  console: { en: 'Dialogflow console', 'zh-TW': 'Dialogflow 主控台' },
  line: { en: 'LINE', 'zh-TW': 'LINE' },
  slack: { en: 'Slack', 'zh-TW': 'Slack' },
  telegram: { en: 'Telegram', 'zh-TW': 'Telegram' },
  facebook: { en: 'Facebook Messenger', 'zh-TW': 'Facebook Messenger' },
  google: { en: 'Actions on Google', 'zh-TW': 'Google 助理' },
};
const PLATFORM_OF = {
  line: 'LINE',
  slack: 'SLACK',
  telegram: 'TELEGRAM',
  facebook: 'FACEBOOK',
  google: 'ACTIONS_ON_GOOGLE',
};

const $ = (id) => document.getElementById(id);
const state = {
  meta: null,
  ui: 'en',
  session: '',
  turns: [],
  selected: null,
  jobs: [],
  tasks: { available: false, tasks: [], dispatches: [] },
  notifications: new Map(),
  scope: 'session',
  paramsFor: '',
  jobIds: [],
  lineUserId: '',
  busy: false,
};

function t(key) {
  return (LABELS[state.ui] && LABELS[state.ui][key]) || LABELS.en[key] || key;
}

function mine(item) {
  return (
    item.sessionId === state.session ||
    item.session === state.session ||
    state.jobIds.includes(item.id)
  );
}

/** Builds an element: el('div', {class: 'x'}, child, 'text', ...). Strings become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function newSessionId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return crypto.randomUUID();
  return 'c' + Math.random().toString(36).slice(2) + Date.now().toString(36);
}

function time(ms) {
  if (!ms) return '';
  return new Date(ms).toLocaleTimeString(state.ui, { hour12: false });
}

function languageName(code) {
  try {
    const names = new Intl.DisplayNames([state.ui], { type: 'language' });
    return `${names.of(code)} (${code})`;
  } catch {
    return code;
  }
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

// ------------------------------------------------------------------ settings

function settings() {
  const form = $('settings');
  return {
    edition: form.elements.edition.value,
    languageCode: $('language').value,
    source: $('source').value,
  };
}

function saveSettings() {
  localStorage.setItem('devconsole.settings', JSON.stringify(settings()));
}

function applyLabels() {
  document.documentElement.lang = state.ui;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]'))
    node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  fillSelects();
  renderAll();
}

function fillSelects() {
  const meta = state.meta;
  if (!meta) return;
  const keep = (select, values, label) => {
    const current = select.value;
    select.replaceChildren(...values.map((v) => el('option', { value: v }, label(v))));
    if (values.includes(current)) select.value = current;
  };
  keep($('language'), meta.languages, languageName);
  keep($('source'), meta.sources, (s) => (SOURCE_LABELS[s] ? SOURCE_LABELS[s][state.ui] : s));
  const intent = $('intent');
  const current = intent.value;
  const edition = settings().edition;
  const names = meta.intents
    .map((i) => (edition === 'cx' ? i.cx : i.es))
    .filter((n) => n !== undefined && n !== null);
  const hadOther = intent.options.length > 0 && current === '';
  intent.replaceChildren(
    ...names.map((n) => el('option', { value: n }, n)),
    el('option', { value: '' }, t('other')),
  );
  // Keep the choice across ES/CX: the same intent under its other name.
  const twin = meta.intents.find((i) => i.es === current || i.cx === current);
  const same = twin ? (edition === 'cx' ? twin.cx : twin.es) : current;
  if (hadOther) intent.value = '';
  else if (same && [...intent.options].some((o) => o.value === same)) intent.value = same;
  // Rebuild the parameter fields only when the intent changed (keep what was typed).
  const key = `${edition}:${intent.value}`;
  if (state.paramsFor !== key) renderParams();
}

function specOf(name) {
  return state.meta.intents.find((i) => i.es === name || i.cx === name);
}

function renderParams() {
  const name = $('intent').value;
  state.paramsFor = `${settings().edition}:${name}`;
  $('intent-other').hidden = name !== '';
  const spec = name ? specOf(name) : undefined;
  const box = $('params');
  box.replaceChildren();
  for (const p of spec ? spec.parameters : []) box.append(paramRow(p, false));
}

const INPUT_TYPES = { number: 'text', date: 'date', time: 'time', person: 'text', text: 'text' };

function paramRow(p, free) {
  const id = `param-${Math.random().toString(36).slice(2, 8)}`;
  const input = el('input', {
    id,
    class: 'param-value',
    type: INPUT_TYPES[p.kind] || 'text',
    inputmode: p.kind === 'number' ? 'numeric' : undefined,
    'data-name': p.name,
    'data-kind': p.kind,
    placeholder: p.example || (p.required ? '' : t('optional')),
  });
  if (p.example) input.value = p.example;
  if (free) {
    const nameInput = el('input', {
      class: 'param-name',
      placeholder: 'name',
      'aria-label': 'parameter name',
    });
    const kind = el(
      'select',
      { class: 'param-kind', 'aria-label': 'kind' },
      ...['text', 'number', 'date', 'time', 'person'].map((k) => el('option', { value: k }, k)),
    );
    kind.addEventListener('change', () => {
      input.type = INPUT_TYPES[kind.value];
      input.dataset.kind = kind.value;
    });
    nameInput.addEventListener('input', () => (input.dataset.name = nameInput.value.trim()));
    return el('div', { class: 'param free' }, nameInput, kind, input);
  }
  return el(
    'div',
    { class: 'param' },
    el(
      'label',
      { for: id },
      p.name,
      el('small', {}, ` ${p.kind}${p.required ? '' : ` · ${t('optional')}`}`),
    ),
    input,
  );
}

// ------------------------------------------------------------------ sending

async function send(body) {
  if (state.busy) return;
  state.busy = true;
  setStatus(t('sending'));
  const pending = {
    pending: true,
    at: Date.now(),
    input: body.text ? { text: body.text } : { intent: body.intent },
    mode: body.text ? 'text' : 'intent',
  };
  state.turns.push(pending);
  renderTranscript();
  try {
    const res = await fetch(`/api/sessions/${encodeURIComponent(state.session)}/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...settings(), ...body }),
    });
    const answer = await res.json();
    state.turns.pop();
    if (!res.ok) {
      state.turns.push({
        ...pending,
        pending: false,
        failed: true,
        error: answer.error ? answer.error.message : `HTTP ${res.status}`,
      });
    } else {
      state.turns.push(answer);
      state.selected = answer.id;
      state.jobIds = answer.state.jobIds;
    }
  } catch (err) {
    state.turns.pop();
    state.turns.push({
      ...pending,
      pending: false,
      failed: true,
      error: String(err.message || err),
    });
  } finally {
    state.busy = false;
    setStatus('');
    renderAll();
  }
}

function sendSentence(text) {
  const value = text.trim();
  if (!value) return;
  void send({ text: value });
}

function sendIntent() {
  const chosen = $('intent').value || $('intent-other').value.trim();
  if (!chosen) {
    $('intent-other').focus();
    return;
  }
  const parameters = [...$('params').querySelectorAll('.param-value')]
    .filter((i) => i.dataset.name)
    .map((i) => ({ name: i.dataset.name, kind: i.dataset.kind || 'text', value: i.value }));
  void send({ intent: chosen, parameters });
}

// ------------------------------------------------------------------ rendering

function renderAll() {
  renderTranscript();
  renderInspector();
  renderJobs();
  renderNotifications();
  renderSayNote();
}

function setStatus(text) {
  $('status').textContent = text;
}

function renderSayNote() {
  const detect = state.meta && state.meta.detect;
  const note = $('say-note');
  const available = Boolean(detect && detect.available);
  $('sentence').disabled = !available;
  $('say').querySelector('button').disabled = !available;
  note.hidden = false;
  note.textContent = available ? `${t('standIn')} ${detect.host || ''}` : t('standInMissing');
}

function jobById(id) {
  return state.jobs.find((j) => j.id === id);
}

function statusBadge(status) {
  const label = (STATUS_LABELS[state.ui] || STATUS_LABELS.en)[status] || status;
  return el('span', { class: `badge status-${status}`, 'data-status': status }, label);
}

function userBubble(turn) {
  const meta = [turn.edition ? turn.edition.toUpperCase() : '', turn.languageCode, turn.source]
    .filter(Boolean)
    .join(' · ');
  if (turn.mode === 'text' || (turn.input && turn.input.text)) {
    return el(
      'div',
      { class: 'bubble user' },
      turn.input.text,
      el('small', { class: 'meta' }, meta),
    );
  }
  const params = Object.entries((turn.input && turn.input.parameters) || {}).map(
    ([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`,
  );
  return el(
    'div',
    { class: 'bubble user intent' },
    el('span', { class: 'intent-name' }, `▶ ${turn.input.intent}`),
    params.length ? el('span', { class: 'mono params-line' }, params.join('  ')) : null,
    el('small', { class: 'meta' }, meta),
  );
}

function displayItem(item, turn) {
  switch (item.kind) {
    case 'text':
      return el('div', { class: 'bubble bot' }, item.text);
    case 'chips':
      return el(
        'div',
        { class: 'chips', role: 'group', 'aria-label': item.title || 'suggestions' },
        item.title ? el('span', { class: 'chips-title' }, item.title) : null,
        ...item.options.map((o) =>
          el(
            'button',
            {
              type: 'button',
              class: 'chip',
              disabled: !(state.meta.detect && state.meta.detect.available) || turn !== lastTurn(),
              onclick: () => sendSentence(o),
            },
            o,
          ),
        ),
      );
    case 'card':
      return el(
        'div',
        { class: 'card' },
        item.imageUri ? imagePlaceholder(item.imageUri, item.title) : null,
        item.title ? el('strong', {}, item.title) : null,
        item.subtitle ? el('div', { class: 'subtitle' }, item.subtitle) : null,
        item.text ? el('p', {}, item.text) : null,
        item.buttons.length
          ? el(
              'div',
              { class: 'card-buttons' },
              ...item.buttons.map((b) => linkButton(b.text, b.uri)),
            )
          : null,
      );
    case 'image':
      return imagePlaceholder(item.uri, item.alt);
    case 'list':
      return el(
        'div',
        { class: 'card list' },
        item.title ? el('strong', {}, item.title) : null,
        el(
          'ul',
          {},
          ...item.items.map((i) =>
            el('li', {}, i.title, i.description ? el('small', {}, ` ${i.description}`) : null),
          ),
        ),
      );
    case 'handoff':
      return el(
        'div',
        { class: 'banner handoff' },
        `↪ ${t('handoff')}`,
        item.metadata ? el('pre', {}, json(item.metadata)) : null,
      );
    case 'end':
      return el('div', { class: 'banner end' }, `■ ${t('end')}`);
    default:
      return el('pre', { class: 'payload' }, json(item.json));
  }
}

/** Remote images are not fetched until asked: nothing leaves this machine on its own. */
function imagePlaceholder(uri, alt) {
  const box = el(
    'div',
    { class: 'image' },
    el('span', {}, `[image] ${alt || ''}`),
    el('small', { class: 'mono' }, uri),
  );
  if (/^https?:/.test(uri)) {
    box.append(
      el(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: (e) => {
            e.currentTarget.replaceWith(el('img', { src: uri, alt: alt || '' }));
          },
        },
        t('showImage'),
      ),
    );
  }
  return box;
}

function linkButton(text, uri) {
  if (uri && /^https?:\/\//.test(uri)) {
    return el(
      'a',
      { class: 'button', href: uri, target: '_blank', rel: 'noopener noreferrer' },
      text || uri,
    );
  }
  return el('span', { class: 'button' }, text || uri || '');
}

function lastTurn() {
  const done = state.turns.filter((x) => !x.pending && !x.failed);
  return done[done.length - 1];
}

function exchangeSummary(turn) {
  const ex = turn.exchanges && turn.exchanges[turn.exchanges.length - 1];
  const parts = [];
  if (ex) {
    parts.push(`${t('httpStatus')} ${ex.status || '—'}`);
    parts.push(`${ex.latencyMs} ms / ${turn.deadlineMs} ms`);
    if (ex.protoErrors)
      parts.push(ex.protoErrors.length === 0 ? 'proto ✓' : `proto ✗ ${ex.protoErrors.length}`);
  } else if (turn.detection) {
    parts.push(`DetectIntent ${turn.detection.latencyMs} ms`);
  }
  if (turn.detection && turn.detection.match) {
    const m = turn.detection.match;
    parts.unshift(`${t('matched')} ${m.intent || m.page || '?'}`);
  }
  return parts.join(' · ');
}

function newJobIds(turn, index) {
  const done = state.turns.slice(0, index).filter((x) => x.state);
  const before = done.length ? done[done.length - 1].state.jobIds : [];
  return (turn.state ? turn.state.jobIds : []).filter((id) => !before.includes(id));
}

function renderTranscript() {
  const list = $('transcript');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const items = [];
  state.turns.forEach((turn, index) => items.push({ at: turn.at, turn, index }));
  for (const n of state.notifications.values()) {
    if (n.session === state.session) items.push({ at: n.at, notification: n });
  }
  items.sort((a, b) => a.at - b.at);
  if (items.length === 0) {
    list.replaceChildren(el('li', { class: 'empty note' }, t('noTurns')));
    return;
  }
  list.replaceChildren(
    ...items.map((item) => {
      if (item.notification)
        return el('li', { class: 'entry push-entry' }, notificationBubble(item.notification));
      const turn = item.turn;
      const li = el('li', {
        class: `entry turn${turn.id === state.selected ? ' selected' : ''}`,
        'data-turn': turn.id,
      });
      li.append(userBubble(turn));
      if (turn.pending) {
        li.append(el('div', { class: 'bubble bot pending' }, '…'));
        return li;
      }
      if (turn.failed || turn.error) {
        li.append(el('div', { class: 'bubble error' }, `${t('error')}: ${turn.error}`));
      }
      if (turn.display && turn.display.length) {
        const platform = PLATFORM_OF[turn.source];
        li.append(
          el(
            'small',
            { class: 'as-seen' },
            `${t('asSeenOn')} ${platform ? SOURCE_LABELS[turn.source][state.ui] : t('defaultPlatform')}`,
          ),
        );
        for (const d of turn.display) li.append(displayItem(d, turn));
      }
      for (const id of newJobIds(turn, item.index)) {
        const job = jobById(id);
        li.append(
          el(
            'div',
            { class: 'job-line', 'data-job': id },
            `${t('job')} `,
            el('span', { class: 'mono' }, id),
            ' ',
            job ? statusBadge(job.status) : statusBadge('queued'),
          ),
        );
      }
      if (turn.id !== undefined) {
        li.append(
          el(
            'button',
            {
              type: 'button',
              class: 'inspect-button',
              'aria-pressed': turn.id === state.selected ? 'true' : 'false',
              onclick: () => {
                state.selected = turn.id;
                renderTranscript();
                renderInspector();
              },
            },
            exchangeSummary(turn),
          ),
        );
      }
      return li;
    }),
  );
  if (atBottom || state.busy) list.scrollTop = list.scrollHeight;
}

function notificationBubble(n) {
  const labels = CHANNEL_LABELS[state.ui] || CHANNEL_LABELS.en;
  return el(
    'div',
    { class: `bubble push channel-${n.channel}`, 'data-channel': n.channel },
    el('strong', {}, `${labels[n.channel] || n.channel}`),
    el('div', { class: 'push-text' }, n.text),
    el(
      'small',
      { class: 'meta' },
      verification(n),
      n.jobId ? ` · ${t('job')} ${n.jobId}` : '',
      ` · ${time(n.at)}`,
    ),
  );
}

function verification(n) {
  if (!n.verification) return t('unsigned');
  return `${n.verification.ok ? '✓' : '✗'} ${n.verification.how} ${n.verification.ok ? t('verified') : t('notVerified')}`;
}

function jsonBlock(title, value, open) {
  return el(
    'details',
    { class: 'json', open },
    el('summary', {}, title),
    el('pre', { class: 'mono', tabindex: '0' }, typeof value === 'string' ? value : json(value)),
  );
}

function latencyBar(ms, deadline, timeout) {
  const scale = Math.max(timeout, ms);
  const pct = (v) => `${Math.min(100, (v / scale) * 100).toFixed(1)}%`;
  const level = ms > deadline ? 'over' : ms > deadline * 0.75 ? 'near' : 'ok';
  return el(
    'div',
    { class: 'latency' },
    el(
      'div',
      {
        class: 'bar',
        role: 'meter',
        'aria-valuemin': '0',
        'aria-valuemax': String(timeout),
        'aria-valuenow': String(ms),
        'aria-label': t('latency'),
      },
      el('span', { class: `fill ${level}`, style: `width:${pct(ms)}` }),
      el('span', {
        class: 'mark deadline',
        style: `left:${pct(deadline)}`,
        title: `${t('budget')} ${deadline} ms`,
      }),
      el('span', {
        class: 'mark timeout',
        style: `left:${pct(timeout)}`,
        title: `${t('dialogflowWaits')} ${timeout} ms`,
      }),
    ),
    el(
      'div',
      { class: 'latency-text' },
      `${t('latency')} ${ms} ms · ${t('budget')} ${deadline} ms · ${t('dialogflowWaits')} ${timeout} ms`,
    ),
  );
}

function renderInspector() {
  const box = $('inspector');
  const turn = state.turns.find((x) => x.id === state.selected && !x.pending);
  if (!turn) {
    box.replaceChildren(el('p', { class: 'note' }, t('noTurnSelected')));
    return;
  }
  const parts = [];
  const title = turn.input.text ? `“${turn.input.text}”` : turn.input.intent;
  parts.push(
    el(
      'h3',
      {},
      `${t('turnTitle').replace('{n}', turn.id)} · ${turn.edition.toUpperCase()} · ${title}`,
    ),
  );
  if (turn.error) parts.push(el('p', { class: 'verdict bad' }, `${t('error')}: ${turn.error}`));

  if (turn.detection) {
    const m = turn.detection.match || {};
    parts.push(
      el(
        'div',
        { class: 'match' },
        el('strong', {}, `${t('matched')}: ${m.intent || m.page || '?'}`),
        m.confidence !== undefined ? ` (${t('confidence')} ${m.confidence})` : '',
        kvTable(m.parameters || {}),
      ),
    );
    if (m.why) parts.push(whyList(m.why));
  }
  const exchanges = turn.exchanges || [];
  const reported = turn.detection && turn.detection.webhook;
  if (exchanges.length === 0 && reported && reported.outcome !== 'none') {
    // The stand-in called the webhook without the console's tap: what DetectIntent reports.
    parts.push(
      el(
        'p',
        { class: `verdict ${reported.outcome === 'ok' ? 'good' : 'bad'}` },
        `${t('webhookReported')}: ${reported.outcome}${reported.code ? ` (${reported.code}) ${reported.message || ''}` : ''}`,
      ),
    );
    if (reported.latencyMs !== undefined) {
      parts.push(
        latencyBar(
          reported.latencyMs,
          turn.deadlineMs,
          state.meta.dialogflowTimeoutMs[turn.edition] || 5000,
        ),
      );
    }
  } else if (exchanges.length === 0) parts.push(el('p', { class: 'note' }, t('noWebhook')));
  for (const ex of exchanges) {
    const errors = ex.protoErrors;
    const ok = ex.status === 200 && errors && errors.length === 0;
    parts.push(
      el(
        'div',
        { class: `verdict ${ok ? 'good' : 'bad'}`, 'data-verdict': ok ? 'valid' : 'invalid' },
        el('strong', {}, ok ? `✓ ${t('valid')}` : `✗ ${t('invalid')}`),
        ` · ${t('httpStatus')} ${ex.status || '—'} · ${ex.bytes} ${t('bytes')}`,
        errors && errors.length
          ? el('ul', {}, ...errors.map((e) => el('li', { class: 'mono' }, e)))
          : null,
        ex.error ? el('div', {}, ex.error) : null,
      ),
    );
    parts.push(
      latencyBar(
        ex.latencyMs,
        turn.deadlineMs,
        state.meta.dialogflowTimeoutMs[turn.edition] || 5000,
      ),
    );
  }
  if (turn.notes && turn.notes.length) {
    parts.push(el('p', { class: 'note' }, `${t('notes')}: ${turn.notes.join(', ')}`));
  }
  const s = turn.state || { contexts: [], parameters: {}, jobIds: [] };
  parts.push(
    el(
      'div',
      { class: 'state' },
      el('h4', {}, t('stateAfter')),
      turn.edition === 'es'
        ? el(
            'div',
            {},
            el('strong', {}, t('contexts')),
            s.contexts.length
              ? el(
                  'ul',
                  {},
                  ...s.contexts.map((c) =>
                    el(
                      'li',
                      { class: 'mono' },
                      `${c.name} (${c.lifespanCount}) ${JSON.stringify(c.parameters)}`,
                    ),
                  ),
                )
              : el('span', {}, ` ${t('none')}`),
          )
        : el('div', {}, el('strong', {}, t('sessionParameters')), kvTable(s.parameters)),
      el(
        'div',
        {},
        el('strong', {}, `${t('jobIds')}: `),
        s.jobIds.length ? el('span', { class: 'mono' }, s.jobIds.join(', ')) : t('none'),
      ),
    ),
  );
  for (const ex of exchanges) {
    parts.push(jsonBlock(`${t('request')} → ${ex.url}`, ex.request, false));
    parts.push(jsonBlock(t('response'), ex.response, true));
  }
  if (turn.detection) {
    parts.push(jsonBlock(t('detectRequest'), turn.detection.request, false));
    parts.push(jsonBlock(t('detectResponse'), turn.detection.response, false));
  }
  box.replaceChildren(...parts);
}

/** The stand-in's "why it matched": how, its top candidates with scores, the entities found. */
function whyList(why) {
  const sources = t('whySource');
  return el(
    'div',
    { class: 'why' },
    el('strong', {}, `${t('why')}: ${(sources && sources[why.source]) || why.source}`),
    why.looksLike
      ? el('p', { class: 'verdict bad' }, t('looksLike').replace('{lang}', why.looksLike))
      : '',
    el(
      'ul',
      {},
      ...why.candidates.map((c) =>
        el(
          'li',
          {},
          `${c.intent} ${Number(c.score).toFixed(2)} ${Object.keys(c.parameters || {}).length ? JSON.stringify(c.parameters) : ''}`,
        ),
      ),
      ...why.entities.map((e) =>
        el('li', {}, `“${e.text}” → ${e.type} → ${JSON.stringify(e.value)}`),
      ),
    ),
  );
}

function kvTable(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return el('span', {}, ` ${t('none')}`);
  return el(
    'table',
    { class: 'kv' },
    ...entries.map(([k, v]) =>
      el(
        'tr',
        {},
        el('th', {}, k),
        el('td', { class: 'mono' }, typeof v === 'object' ? JSON.stringify(v) : String(v)),
      ),
    ),
  );
}

function resultText(job) {
  if (job.summary) return job.summary;
  const r = job.result;
  if (!r) return job.error || '';
  if (r.outcome === 'confirmed')
    return `✓ ${r.code} · ${r.date} ${r.time} · ${r.partySize} · ${r.name}`;
  if (r.outcome) return `${r.outcome} · ${r.date || ''} ${r.time || ''}`;
  return JSON.stringify(r);
}

function renderJobs() {
  const list = $('jobs');
  const jobs = state.scope === 'all' ? state.jobs : state.jobs.filter(mine);
  const note = $('tasks-note');
  note.hidden = state.tasks.available !== false || !state.tasks.reason;
  note.textContent = state.tasks.reason ? `Cloud Tasks: ${state.tasks.reason}` : '';
  if (!jobs.length) {
    list.replaceChildren(el('li', { class: 'note' }, t('noJobs')));
    return;
  }
  const labels = CHANNEL_LABELS[state.ui] || CHANNEL_LABELS.en;
  list.replaceChildren(
    ...jobs.map((job) => {
      const dispatches = state.tasks.dispatches.filter((d) => d.jobId === job.id);
      const queued = state.tasks.tasks.find((x) => x.jobId === job.id);
      const channels = Object.entries(job.notify || {});
      return el(
        'li',
        { class: `job${mine(job) ? ' mine' : ''}`, 'data-job': job.id, 'data-status': job.status },
        el(
          'div',
          { class: 'job-head' },
          el('span', { class: 'mono' }, job.id),
          ' ',
          job.type,
          ' ',
          statusBadge(job.status),
          el(
            'small',
            {},
            ` ${job.attempts} ${job.attempts === 1 ? t('attempt') : t('attempts')} · ${time(job.createdAt)}`,
          ),
        ),
        job.result || job.error
          ? el('div', { class: 'job-result' }, `${t('result')}: ${resultText(job)}`)
          : null,
        channels.length
          ? el(
              'div',
              { class: 'job-channels' },
              ...channels.map(([c, s]) =>
                el(
                  'span',
                  { class: `channel ${s.state}`, title: s.lastError || '' },
                  `${labels[c] || c} ${s.state === 'sent' ? '✓' : s.state === 'failed' ? '✗' : '…'}`,
                ),
              ),
            )
          : null,
        queued
          ? el(
              'div',
              { class: 'note' },
              `${t('queuedInTasks')} ${queued.scheduleAt && queued.scheduleAt > Date.now() ? time(queued.scheduleAt) : t('now')}`,
            )
          : null,
        dispatches.length
          ? el(
              'ol',
              { class: 'dispatches', 'aria-label': t('dispatches') },
              ...dispatches.map((d) =>
                el(
                  'li',
                  { class: `dispatch ${d.outcome}` },
                  `#${d.attempt}${d.at ? ` ${time(d.at)}` : ''} → ${d.status} · ${d.latencyMs} ms · ${t('outcome')[d.outcome] || d.outcome}${d.nextAttemptInMs ? ` (+${Math.round(d.nextAttemptInMs / 100) / 10} s)` : ''}`,
                ),
              ),
            )
          : null,
      );
    }),
  );
}

function renderNotifications() {
  const list = $('notifications');
  const all = [...state.notifications.values()]
    .filter((n) => state.scope === 'all' || n.session === state.session)
    .sort((a, b) => b.at - a.at);
  if (!all.length) {
    list.replaceChildren(el('li', { class: 'note' }, t('noNotifications')));
    return;
  }
  const labels = CHANNEL_LABELS[state.ui] || CHANNEL_LABELS.en;
  list.replaceChildren(
    ...all.map((n) =>
      el(
        'li',
        {
          class: `notification channel-${n.channel}${n.session === state.session ? ' mine' : ''}`,
          'data-channel': n.channel,
        },
        el(
          'div',
          {},
          el('strong', {}, labels[n.channel] || n.channel),
          ` ${time(n.at)}`,
          n.status && n.status >= 300 ? ` · HTTP ${n.status}` : '',
          n.session === state.session ? ` · ${t('inConversation')}` : '',
        ),
        el('div', { class: 'push-text' }, n.text),
        el(
          'small',
          { class: `meta ${n.verification && !n.verification.ok ? 'bad' : ''}` },
          verification(n),
          n.to ? ` · → ${n.to}` : '',
          n.jobId ? ` · ${t('job')} ${n.jobId}` : '',
        ),
        jsonBlock('raw', n.raw, false),
      ),
    ),
  );
}

// ------------------------------------------------------------------ live events

function connect() {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => setStatus(''));
  source.addEventListener('error', () => setStatus(t('reconnecting')));
  source.addEventListener('jobs', (e) => {
    state.jobs = JSON.parse(e.data);
    renderJobs();
    renderTranscript();
  });
  source.addEventListener('tasks', (e) => {
    state.tasks = JSON.parse(e.data);
    renderJobs();
  });
  source.addEventListener('notification', (e) => {
    const n = JSON.parse(e.data);
    state.notifications.set(n.id, n);
    renderNotifications();
    if (n.session === state.session) renderTranscript();
  });
}

// ------------------------------------------------------------------ start

async function loadSession() {
  $('session-id').textContent = state.session;
  const res = await fetch(`/api/sessions/${encodeURIComponent(state.session)}`);
  const data = await res.json();
  state.turns = data.turns || [];
  state.jobIds = data.state ? data.state.jobIds : [];
  state.lineUserId = data.lineUserId;
  $('session-id').title = `${t('lineUser')} ${data.lineUserId}`;
  const last = lastTurn();
  state.selected = last ? last.id : null;
  renderAll();
}

function newConversation() {
  state.session = newSessionId();
  sessionStorage.setItem('devconsole.session', state.session);
  void loadSession();
  focusComposer();
}

function focusComposer() {
  if (!$('sentence').disabled) $('sentence').focus();
  else $('intent').focus();
}

function bindKeys() {
  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(
      document.activeElement && document.activeElement.tagName,
    );
    if (e.key === '/' && !typing) {
      e.preventDefault();
      focusComposer();
    } else if (e.key === 'Escape') {
      focusComposer();
    } else if (e.altKey && (e.key === 'i' || e.key === 'I')) {
      e.preventDefault();
      $('intent').focus();
    } else if (e.altKey && (e.key === 'n' || e.key === 'N')) {
      e.preventDefault();
      newConversation();
    } else if (e.altKey && (e.key === 'e' || e.key === 'E')) {
      e.preventDefault();
      const form = $('settings');
      form.elements.edition.value = form.elements.edition.value === 'es' ? 'cx' : 'es';
      saveSettings();
      fillSelects();
    }
  });
}

async function main() {
  const saved = JSON.parse(localStorage.getItem('devconsole.settings') || '{}');
  const params = new URLSearchParams(location.search);
  state.ui =
    params.get('ui') ||
    localStorage.getItem('devconsole.ui') ||
    (navigator.language.toLowerCase().startsWith('zh') ? 'zh-TW' : 'en');
  if (!LABELS[state.ui]) state.ui = 'en';
  $('ui-language').value = state.ui;
  state.meta = await (await fetch('/api/meta')).json();
  fillSelects();
  const form = $('settings');
  if (saved.edition) form.elements.edition.value = saved.edition;
  if (saved.languageCode && state.meta.languages.includes(saved.languageCode))
    $('language').value = saved.languageCode;
  if (saved.source && state.meta.sources.includes(saved.source)) $('source').value = saved.source;
  fillSelects();
  applyLabels();

  form.addEventListener('change', (e) => {
    if (e.target.id === 'ui-language') {
      state.ui = e.target.value;
      localStorage.setItem('devconsole.ui', state.ui);
      applyLabels();
      return;
    }
    saveSettings();
    if (e.target.name === 'edition') fillSelects();
  });
  $('new-session').addEventListener('click', newConversation);
  $('intent').addEventListener('change', renderParams);
  $('add-param').addEventListener('click', () => {
    const row = paramRow({ name: '', kind: 'text', required: false }, true);
    $('params').append(row);
    row.querySelector('input').focus();
  });
  $('say').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('sentence');
    sendSentence(input.value);
    input.value = '';
  });
  $('pick').addEventListener('submit', (e) => {
    e.preventDefault();
    sendIntent();
  });
  for (const radio of document.querySelectorAll('input[name=scope]')) {
    radio.addEventListener('change', () => {
      state.scope = radio.value;
      renderJobs();
      renderNotifications();
    });
  }
  bindKeys();
  state.session = sessionStorage.getItem('devconsole.session') || newSessionId();
  sessionStorage.setItem('devconsole.session', state.session);
  await loadSession();
  connect();
  focusComposer();
  document.body.dataset.ready = 'true';
}

main().catch((err) => setStatus(`${t('error')}: ${err.message}`));
