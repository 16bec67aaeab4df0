/*
 * The Chinese dictionary nlp.js's zh tokenizer and stemmer look words up in (CC-CEDICT, shipped
 * in @nlpjs/lang-zh), indexed when first needed rather than built whole.
 *
 * Its own `start()` makes an entry object (pinyin and definition cut out of the line) for every
 * one of its ~118,000 lines before the first lookup: about a second of CPU in each process that
 * tokenizes Chinese (the stand-in at each start, each `dff converse`, each test worker). This
 * index only finds each word's lines (their first two fields), and makes the entries of the
 * words looked up, when they are. Its lookups answer what the original's answer, entry for entry
 * (test/zh-dictionary.test.ts compares the two over the whole dictionary's words).
 *
 * nlp.js gives no option for its dictionary: the index replaces the `start` and `search` of the
 * module's one instance, which its tokenizer and stemmer share. @nlpjs/lang-zh is pinned (dev's
 * package.json), so the module is the one this was written and tested against.
 */

/** One line of the dictionary, as nlp.js's lookups return it. */
export interface ZhEntry {
  traditional: string;
  simplified: string;
  pinyin?: string;
  definition?: string;
}

/** The part of nlp.js's dictionary instance (`@nlpjs/lang-zh/src/dictionary`) replaced here. */
export interface ZhDictionary {
  start(): void;
  search(word: string): ZhEntry[] | undefined;
}

/** What a plain object has under a name it was never given (see lazyZhSearch). */
const EMPTY: Record<string, unknown> = {};

/** `CHINESE SIMPLIFIED [pin1 yin1] /definition/.../` as an entry (the format's fields). */
function entryOf(line: string): ZhEntry {
  const fields = line.split(' ');
  return {
    traditional: fields[0]!,
    simplified: fields[1]!,
    pinyin: line.substring(line.indexOf('[') + 1, line.indexOf(']')),
    definition: line.substring(line.indexOf('/') + 1, line.lastIndexOf('/')),
  };
}

/**
 * A lookup over the dictionary's text, indexed now (call it when the first word is looked up:
 * useLazyZhDictionary does): `search(word)` gives the entries whose simplified form is
 * `word`, else those whose traditional form is, in the dictionary's order (undefined when none).
 */
export function lazyZhSearch(cedict: string): (word: string) => ZhEntry[] | undefined {
  const lines = cedict.split(/\r?\n/);
  /** Line numbers by simplified and by traditional form. */
  const simplified = new Map<string, number[]>();
  const traditional = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, word: string, at: number) => {
    const list = map.get(word);
    if (list) list.push(at);
    else map.set(word, [at]);
  };
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!;
    if (line.startsWith('#')) continue;
    const first = line.indexOf(' ');
    const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
    // As split(' ') reads them (a line without a second field has `undefined` there).
    const trad = first < 0 ? line : line.slice(0, first);
    const simp = first < 0 ? 'undefined' : line.slice(first + 1, second < 0 ? undefined : second);
    add(simplified, simp, at);
    add(traditional, trad, at);
  }
  /** The words found, each with its list (the same list at each lookup, as the original's). */
  const found = new Map<string, ZhEntry[]>();

  return (word) => {
    const known = found.get(word);
    if (known) return known;
    const at = simplified.get(word) ?? traditional.get(word);
    if (!at) {
      // The original's tables are plain objects: a word named like one of Object.prototype's
      // members finds what an empty object has under that name (a function, or for `__proto__`
      // the prototype: never an entry list a caller could use).
      return EMPTY[word] as ZhEntry[] | undefined;
    }
    const list = at.map((n) => entryOf(lines[n]!));
    found.set(word, list);
    return list;
  };
}

/** Makes nlp.js's dictionary instance look words up through `lazyZhSearch` (once). */
export function useLazyZhDictionary(dictionary: ZhDictionary, cedict: () => string): void {
  if ((dictionary as { lazy?: boolean }).lazy) return;
  let search: ((word: string) => ZhEntry[] | undefined) | undefined;
  Object.assign(dictionary, {
    lazy: true,
    start() {},
    search(word: string) {
      search ??= lazyZhSearch(cedict());
      return search(word);
    },
  });
}
