import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { DetectIntentClient, DetectResult, Edition } from './dialogflow-client';
import { conversationsDir } from '../project';

/*
 * Conversation tests (after Rasa's test stories): YAML files of stories, each a list of turns
 * the user types and what the agent must answer: the intent (and CX page), parameters, a
 * pattern for the reply, the webhook outcome. Every story runs in a fresh session, once per
 * edition. A named group in a reply pattern (`(?<job>r-\w+)`) saves what it matched for later
 * turns as `${job}`.
 */

const Expectation = z.strictObject({
  /** The intent display name (ES fallback: "Default Fallback Intent"); null: no intent (CX no-match). */
  intent: z.string().nullable().optional(),
  /** CX: the current page after the turn. */
  page: z.string().optional(),
  /** These parameters with these values (others may be there too). */
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** A regular expression the reply texts (joined by a space) must match. */
  reply: z.string().optional(),
  /** A regular expression the reply must not match. */
  not_reply: z.string().optional(),
  webhook: z.enum(['ok', 'error', 'none']).optional(),
  /** A reply message of this kind (`payload`, `liveAgentHandoff`, `quickReplies`, …). */
  message: z.string().optional(),
});

const Step = Expectation.extend({
  user: z.string().min(1),
  lang: z.string().optional(),
  /** Overrides for one edition (values whose shape differs: dates, times). */
  es: Expectation.optional(),
  cx: Expectation.optional(),
});

/** A document path: `collection/doc`, or deeper (`collection/doc/sub/doc`). */
const DocumentPath = z
  .string()
  .regex(/^[^/\s]+\/[^/\s]+(\/[^/\s]+\/[^/\s]+)*$/, 'must be a document path (collection/id)');

/**
 * Documents a story needs, written into the stories' own data before it (each edition) and put
 * back as they were after it: a document's fields (it replaces the document), or null (absent).
 */
export const StoryData = z.record(DocumentPath, z.record(z.string(), z.unknown()).nullable());
export type StoryData = z.infer<typeof StoryData>;

const Story = z.strictObject({
  story: z.string().min(1),
  lang: z.string().optional(),
  editions: z.array(z.enum(['es', 'cx'])).optional(),
  data: StoryData.optional(),
  steps: z.array(Step).min(1),
});

/** Writes a story's `data:` and returns what puts the documents back (the local bot's data). */
export type StoryDataWriter = (data: StoryData) => Promise<() => Promise<void>>;

export const ConversationFile = z.strictObject({
  /** Language of the turns unless a story or step says otherwise (default en). */
  lang: z.string().optional(),
  /** Editions to run (default both). */
  editions: z.array(z.enum(['es', 'cx'])).optional(),
  stories: z.array(Story).min(1),
});
export type ConversationFile = z.infer<typeof ConversationFile>;
type StepDef = z.infer<typeof Step>;

export interface LoadedFile {
  path: string;
  name: string;
  file: ConversationFile;
}

const yamlFilesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));

/** Reads and checks conversation files (all of the bot's conversations/*.yaml by default). */
export function loadConversationFiles(paths?: string[]): LoadedFile[] {
  const files = paths && paths.length > 0 ? paths : yamlFilesIn(conversationsDir());
  return files.map((path) => {
    const raw: unknown = parseYaml(readFileSync(path, 'utf8'));
    const parsed = ConversationFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // A bad record key (a data: path) says why in its own issues.
      const why = issue?.code === 'invalid_key' ? issue.issues[0]?.message : issue?.message;
      throw new Error(`${path}: ${issue?.path.join('.') || '<root>'}: ${why ?? issue?.message}`);
    }
    return { path, name: basename(path), file: parsed.data };
  });
}

export interface StoryResult {
  file: string;
  story: string;
  edition: Edition;
  passed: boolean;
  /** Why the story did not run (a story with `data:` against the real agent); not a failure. */
  skipped?: string;
  /** Per failed check: which turn and what differed. */
  failures: string[];
  turns: { user: string; result: DetectResult }[];
}

const substitute = (s: string, vars: Record<string, string>, forRegex = false) =>
  s.replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return forRegex ? v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : v;
  });

function substituteDeep(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return substitute(value, vars);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, vars)]));
  }
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function check(
  step: StepDef,
  edition: Edition,
  result: DetectResult,
  vars: Record<string, string>,
): string[] {
  const e = { ...step, ...(edition === 'es' ? step.es : step.cx) };
  const failures: string[] = [];
  const reply = result.texts.join(' ');
  if (e.intent !== undefined && (result.intent ?? null) !== e.intent) {
    failures.push(
      `intent: expected ${JSON.stringify(e.intent)}, got ${JSON.stringify(result.intent ?? null)}`,
    );
  }
  if (e.page !== undefined && edition === 'cx' && result.page !== e.page) {
    failures.push(`page: expected ${JSON.stringify(e.page)}, got ${JSON.stringify(result.page)}`);
  }
  for (const [name, expected] of Object.entries(e.parameters ?? {})) {
    const want = substituteDeep(expected, vars);
    const got = result.parameters[name];
    if (!same(got, want)) {
      failures.push(
        `parameter ${name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
      );
    }
  }
  if (e.reply !== undefined) {
    const pattern = new RegExp(substitute(e.reply, vars, true), 'u');
    const m = pattern.exec(reply);
    if (!m) failures.push(`reply: ${JSON.stringify(reply)} does not match /${pattern.source}/`);
    else Object.assign(vars, m.groups ?? {});
  }
  if (e.not_reply !== undefined) {
    const pattern = new RegExp(substitute(e.not_reply, vars, true), 'u');
    if (pattern.test(reply))
      failures.push(`reply: ${JSON.stringify(reply)} matches /${pattern.source}/`);
  }
  if (e.webhook !== undefined && result.webhook.outcome !== e.webhook) {
    failures.push(
      `webhook: expected ${e.webhook}, got ${result.webhook.outcome}${result.webhook.message ? ` (${result.webhook.message})` : ''}`,
    );
  }
  if (e.message !== undefined && !result.messages.some((m) => e.message! in m)) {
    failures.push(
      `message: no ${e.message} message among ${JSON.stringify(result.messages.map((m) => Object.keys(m)))}`,
    );
  }
  return failures;
}

/** Runs every story of `files` for each edition a client is given for (and the story wants). */
export async function runConversations(
  files: LoadedFile[],
  clients: Partial<Record<Edition, DetectIntentClient>>,
  options: {
    sessionPrefix?: string;
    /** Where stories with `data:` get it (absent, e.g. `--live`: those stories fail, saying so). */
    writeData?: StoryDataWriter;
  } = {},
): Promise<StoryResult[]> {
  const results: StoryResult[] = [];
  let n = 0;
  for (const { name, file } of files) {
    for (const story of file.stories) {
      const editions = story.editions ?? file.editions ?? ['es', 'cx'];
      for (const edition of editions) {
        const client = clients[edition];
        if (!client) continue;
        const sessionId = `${options.sessionPrefix ?? 'converse'}-${process.pid}-${Date.now().toString(36)}-${++n}`;
        const vars: Record<string, string> = {};
        const result: StoryResult = {
          file: name,
          story: story.story,
          edition,
          passed: true,
          failures: [],
          turns: [],
        };
        let restore: (() => Promise<void>) | undefined;
        if (story.data && !options.writeData) {
          results.push({ ...result, skipped: 'its data: is written on the local bot only' });
          continue;
        }
        if (story.data && options.writeData) {
          try {
            restore = await options.writeData(story.data);
          } catch (err) {
            result.failures.push(`data: not written: ${(err as Error).message}`);
          }
        }
        for (const [i, step] of result.failures.length ? [] : story.steps.entries()) {
          const user = substitute(step.user, vars);
          let detected: DetectResult;
          try {
            detected = await client.detect({
              text: user,
              languageCode: step.lang ?? story.lang ?? file.lang ?? 'en',
              sessionId,
            });
          } catch (err) {
            result.failures.push(
              `turn ${i + 1} ${JSON.stringify(user)}: DetectIntent failed: ${(err as Error).message}`,
            );
            break;
          }
          result.turns.push({ user, result: detected });
          for (const f of check(step, edition, detected, vars)) {
            result.failures.push(`turn ${i + 1} ${JSON.stringify(user)}: ${f}`);
          }
          if (result.failures.length > 0) break;
        }
        if (restore) {
          await restore().catch((err: unknown) => {
            result.failures.push(`data: not put back: ${(err as Error).message}`);
          });
        }
        result.passed = result.failures.length === 0;
        results.push(result);
      }
    }
  }
  return results;
}

/** One line per story, then the failures with the replies of the failing turn. */
export function formatReport(results: StoryResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.skipped ? '-' : r.passed ? '✓' : '✗';
    lines.push(
      `${mark} ${r.edition.toUpperCase()} ${r.file} › ${r.story}${r.skipped ? ` (skipped: ${r.skipped})` : ''}`,
    );
    for (const f of r.failures) lines.push(`    ${f}`);
    if (!r.passed) {
      const last = r.turns[r.turns.length - 1];
      if (last) {
        lines.push(
          `    (got intent ${JSON.stringify(last.result.intent ?? null)}${last.result.page ? `, page ${JSON.stringify(last.result.page)}` : ''}, reply ${JSON.stringify(last.result.texts.join(' '))})`,
        );
      }
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  const skipped = results.filter((r) => r.skipped).length;
  lines.push(
    `${results.length - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
  return lines.join('\n');
}
