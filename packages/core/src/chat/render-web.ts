import type { Reply, RichElement } from '../conversation/reply';
import type { Message } from './wire';

/*
 * A `Reply` as the chat's neutral messages: the texts, each rich element in its web form, the
 * handoff, and the suggestions last (as chips under the answer). Every reply kind the webhook
 * can send has a rendering here: an accordion becomes a card with its text.
 */

export function renderWeb(reply: Reply): Message[] {
  const out: Message[] = [];
  for (const text of reply.texts) if (text.trim() !== '') out.push({ type: 'text', text });
  for (const element of reply.rich ?? []) out.push(renderElement(element));
  if (reply.handoff) out.push({ type: 'handoff' });
  const chips = [...new Set((reply.suggestions ?? []).filter((s) => s.trim() !== ''))];
  if (chips.length > 0) out.push({ type: 'chips', chips: chips.map((text) => ({ text })) });
  return out;
}

const webUrl = (url: string | undefined) =>
  url !== undefined && /^https?:\/\//i.test(url) ? url : undefined;

function renderElement(element: RichElement): Message {
  switch (element.kind) {
    case 'card':
    case 'accordion': {
      const subtitle = [element.subtitle, element.text].filter(Boolean).join('\n');
      const imageUrl = webUrl(element.image?.url);
      const buttons =
        element.kind === 'card'
          ? (element.buttons ?? []).filter((b) => !('url' in b) || webUrl(b.url) !== undefined)
          : [];
      return {
        type: 'card',
        title: element.title,
        ...(subtitle ? { subtitle } : {}),
        ...(imageUrl ? { imageUrl } : {}),
        ...(buttons.length > 0 ? { buttons: buttons.map((b) => ({ ...b })) } : {}),
      };
    }
    case 'image': {
      const url = webUrl(element.image.url);
      // A picture a browser cannot load is said in words.
      return url
        ? { type: 'image', url, alt: element.image.alt }
        : { type: 'text', text: element.fallback ?? element.image.alt };
    }
    case 'list':
      return {
        type: 'list',
        ...(element.title ? { title: element.title } : {}),
        items: element.items.map((i) => ({
          title: i.title,
          ...(i.description ? { subtitle: i.description } : {}),
          postback: i.postback,
        })),
      };
  }
}
