import type { CoreMessages as Messages } from '../messages';
import type { Platform, Reply, RichElement } from './reply';

/** What the renderers need to know about the turn. */
export interface RenderTarget {
  session: string | undefined;
  platform: Platform | undefined;
  languageCode: string | undefined;
  t: Messages;
}

/** Suggestions any platform shows at most (ES quick replies allow 10 on the default platform). */
export const MAX_SUGGESTIONS = 10;

/** The readable text of a rich element, for platforms that cannot show it. */
export function fallbackText(element: RichElement): string {
  if (element.fallback) return element.fallback;
  switch (element.kind) {
    case 'card': {
      const lines = [element.title, element.subtitle, element.text];
      for (const b of element.buttons ?? []) if ('url' in b) lines.push(`${b.text}: ${b.url}`);
      return joinLines(lines);
    }
    case 'image':
      return element.image.alt;
    case 'list':
      return joinLines([
        element.title,
        ...element.items.map(
          (item, i) => `${i + 1}. ${item.title}${item.description ? ` – ${item.description}` : ''}`,
        ),
      ]);
    case 'accordion':
      return joinLines([element.title, element.subtitle, element.text]);
  }
}

/**
 * What a text-only channel shows: the texts, or when there are none the rich elements'
 * fallbacks, so a reply that has anything to show is never empty.
 */
export function leadTexts(reply: Reply): string[] {
  const texts = cleanTexts(reply);
  return texts.length > 0
    ? texts
    : richOf(reply)
        .map(fallbackText)
        .filter((t) => t !== '');
}

/** Everything the reply says as plain text: the texts, then every rich element's fallback. */
export function allTexts(reply: Reply): string[] {
  return [...cleanTexts(reply), ...richOf(reply).map(fallbackText)].filter((t) => t !== '');
}

/** The elements there is something to show of (a list without items, an image without URL: not). */
export function richOf(reply: Reply): RichElement[] {
  return (reply.rich ?? []).filter((e) => {
    switch (e.kind) {
      case 'card':
        return e.title !== '' || Boolean(e.subtitle || e.text || e.image);
      case 'image':
        return e.image.url !== '';
      case 'list':
        return e.items.length > 0;
      case 'accordion':
        return e.title !== '' || e.text !== '';
    }
  });
}

export function cleanTexts(reply: Reply): string[] {
  return reply.texts.filter((t) => t !== '');
}

export function cleanSuggestions(reply: Reply, max = MAX_SUGGESTIONS): string[] {
  return [...new Set((reply.suggestions ?? []).filter((s) => s.trim() !== ''))].slice(0, max);
}

/** Cuts `text` to `max` characters (by code point), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function joinLines(lines: (string | undefined)[]): string {
  return lines.filter((l): l is string => l !== undefined && l !== '').join('\n');
}

export const isHttpsUrl = (url: string): boolean => /^https:\/\/[^\s]+$/i.test(url);
