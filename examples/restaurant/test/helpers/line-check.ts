/*
 * Checks a LINE Messaging API message object (what we send in ES `payload.line`) against the
 * rules of LINE's reference that a wrong reply would break: message and component types,
 * required fields, HTTPS images, action kinds and label/text limits, quick reply limits,
 * Flex carousel size. The strict proto checker sees only a Struct there; LINE rejects the
 * whole reply for any of these.
 */

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const len = (s: string) => Array.from(s).length;

export function lineErrors(message: unknown): string[] {
  const errors: string[] = [];
  const err = (path: string, what: string) => errors.push(`${path}: ${what}`);
  if (!isObj(message)) return ['message: not an object'];

  const text = (v: unknown, path: string, max: number) => {
    if (typeof v !== 'string' || v === '') err(path, 'must be a non-empty string');
    else if (len(v) > max) err(path, `longer than ${max}`);
  };
  const action = (a: unknown, path: string) => {
    if (!isObj(a)) {
      err(path, 'action must be an object');
      return;
    }
    if (a.type === 'message') {
      text(a.label, `${path}.label`, 20);
      text(a.text, `${path}.text`, 300);
    } else if (a.type === 'uri') {
      text(a.label, `${path}.label`, 20);
      if (typeof a.uri !== 'string' || !/^(https?:\/\/|tel:|line:\/\/)\S+$/.test(a.uri)) {
        err(`${path}.uri`, 'must be http(s), tel or line');
      }
    } else err(`${path}.type`, `unexpected action ${String(a.type)}`);
  };
  const component = (c: unknown, path: string) => {
    if (!isObj(c)) {
      err(path, 'component must be an object');
      return;
    }
    switch (c.type) {
      case 'box':
        if (!['vertical', 'horizontal', 'baseline'].includes(String(c.layout))) {
          err(`${path}.layout`, 'bad layout');
        }
        if (!Array.isArray(c.contents)) err(`${path}.contents`, 'must be an array');
        else c.contents.forEach((x, i) => component(x, `${path}.contents[${i}]`));
        if (c.action !== undefined) action(c.action, `${path}.action`);
        break;
      case 'text':
        text(c.text, `${path}.text`, 10_000);
        break;
      case 'image':
        if (typeof c.url !== 'string' || !/^https:\/\//.test(c.url) || c.url.length > 2000) {
          err(`${path}.url`, 'must be an HTTPS URL of at most 2000 characters');
        }
        break;
      case 'button':
        action(c.action, `${path}.action`);
        break;
      case 'separator':
        break;
      default:
        err(`${path}.type`, `unexpected component ${String(c.type)}`);
    }
  };
  const bubble = (b: unknown, path: string) => {
    if (!isObj(b) || b.type !== 'bubble') {
      err(path, 'must be a bubble');
      return;
    }
    if (!b.hero && !b.body) err(path, 'a bubble needs a hero or a body');
    for (const block of ['header', 'hero', 'body', 'footer'] as const) {
      if (b[block] !== undefined) component(b[block], `${path}.${block}`);
    }
    for (const block of ['body', 'footer'] as const) {
      const box = b[block];
      if (isObj(box) && Array.isArray(box.contents) && box.contents.length === 0) {
        err(`${path}.${block}`, 'an empty box');
      }
    }
  };

  if (message.type === 'text') {
    text(message.text, 'text', 5000);
  } else if (message.type === 'flex') {
    text(message.altText, 'altText', 400);
    const contents = message.contents;
    if (isObj(contents) && contents.type === 'carousel') {
      const bubbles = contents.contents;
      if (!Array.isArray(bubbles) || bubbles.length < 1 || bubbles.length > 12) {
        err('contents.contents', 'a carousel holds 1–12 bubbles');
      } else bubbles.forEach((b, i) => bubble(b, `contents.contents[${i}]`));
    } else bubble(contents, 'contents');
  } else {
    err('type', `unexpected message type ${String(message.type)}`);
  }
  if (message.quickReply !== undefined) {
    const items = isObj(message.quickReply) ? message.quickReply.items : undefined;
    if (!Array.isArray(items) || items.length < 1 || items.length > 13) {
      err('quickReply.items', 'must hold 1–13 items');
    } else {
      items.forEach((item, i) => {
        if (!isObj(item) || item.type !== 'action') err(`quickReply.items[${i}]`, 'not an action');
        else action(item.action, `quickReply.items[${i}].action`);
      });
    }
  }
  return errors;
}

export function assertValidLineMessage(message: unknown): void {
  const errors = lineErrors(message);
  if (errors.length > 0) {
    throw new Error(`Invalid LINE message:\n  ${errors.join('\n  ')}\n${JSON.stringify(message)}`);
  }
}
