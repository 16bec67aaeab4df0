import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/messages';
import { until } from '@dialogflow-functions/testing/wait';
import { browserStack } from '../helpers/browser-stack';
import { REPO } from '../helpers/paths';

/*
 * The <dialogflow-chat> widget in a real browser (Debian's chromium driven by playwright-core)
 * on the sample page of the stack exactly as `npm start` runs it, on free ports (the browser
 * suites' one stack: ../helpers/browser-stack.ts; run by ../browser.test.ts): page → chat
 * function → Dialogflow stand-in → webhook → Cloud Tasks → worker → notification. A chip, the
 * order card, a whole reservation typed with the keyboard (the job succeeds and its notification
 * reaches the dev console), the conversation kept across a reload, offline and back, zh-TW and
 * ja, and axe-core in the page. With UPDATE_SCREENSHOTS=1 the screenshots go to docs/ (the
 * chat docs show them); otherwise to a temporary folder.
 */

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const ja = messagesFor('ja');
const AXE = createRequire(__filename).resolve('axe-core/axe.min.js');

const screenshots =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(REPO, 'docs')
    : mkdtempSync(join(tmpdir(), 'chat-widget-'));

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: unknown }[];
}

describe('the chat widget on the sample page npm start serves', () => {
  let pageUrl: string;
  let consoleUrl: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ pageUrl, consoleUrl, browser } = await browserStack());
  }, 240_000);

  /** A fresh tab (its own sessionStorage) on the page in `lang`. */
  async function open(
    lang: 'en' | 'zh-TW' | 'ja',
  ): Promise<{ page: Page; context: BrowserContext; chat: Locator }> {
    // axe-core is injected as a script: the page's CSP (script-src 'self') would refuse it.
    const context = await browser.newContext({
      viewport: { width: 1100, height: 760 },
      locale: lang,
      bypassCSP: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(lang === 'en' ? pageUrl : `${pageUrl}?lang=${lang}`);
    return { page, context, chat: page.locator('dialogflow-chat') };
  }

  const botTexts = (chat: Locator) => chat.locator('.bot').allTextContents();
  const lastBot = async (chat: Locator, count: number) => {
    await expect
      .poll(() => chat.locator('.bot').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(count);
    return (await botTexts(chat)).at(-1) ?? '';
  };

  async function typeAndSend(page: Page, chat: Locator, text: string): Promise<void> {
    await chat.locator('input[part=input]').focus();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  async function axeViolations(page: Page): Promise<AxeViolation[]> {
    await page.addScriptTag({ path: AXE });
    // A string: this file is typechecked without the DOM's types.
    const violations = (await page.evaluate(`(async () => {
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      }));
    })()`)) as AxeViolation[];
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  it('English: welcome, a chip to the order card, a reservation to its notification, kept across a reload', async () => {
    const { page, context, chat } = await open('en');
    // The welcome event's answer, with its suggestions as chips.
    // Each reply is announced with who says it (a visually hidden prefix).
    await expect
      .poll(() => botTexts(chat), { timeout: 30_000 })
      .toEqual([`Assistant: ${en.welcome}`]);
    expect(await chat.locator('button[part=chip]').allTextContents()).toEqual(
      en.welcomeSuggestions,
    );
    const log = chat.locator('[role=log]');
    expect(await log.getAttribute('aria-live')).toBe('polite');

    // A chip: the order card.
    await chat.locator('button[part=chip]', { hasText: 'Check order 1001' }).click();
    const card = chat.locator('[part=card]').last();
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator('[part=card-title]').textContent()).toBe('Order 1001');
    // The focus is back in the input, ready to type.
    expect(
      await page.evaluate(
        "document.querySelector('dialogflow-chat').shadowRoot.activeElement?.getAttribute('part')",
      ),
    ).toBe('input');
    expect(await axeViolations(page)).toEqual([]);

    // A whole reservation, keyboard only.
    await chat.locator('button[part=chip]', { hasText: 'Check another order' }).waitFor();
    let bots = (await botTexts(chat)).length;
    for (const [text, reply] of [
      ['book a table', en.askDate],
      ['tomorrow', en.askTime],
      ['7 pm', en.askPartySize],
      ['4', en.askName],
    ] as const) {
      await typeAndSend(page, chat, text);
      expect(await lastBot(chat, ++bots)).toContain(reply);
    }
    await typeAndSend(page, chat, 'Lin');
    const queued = await lastBot(chat, ++bots);
    const jobId = queued.match(/r-[0-9a-z]{12}/)?.[0];
    expect(jobId, `a job id in: ${queued}`).toBeDefined();

    // The job finishes and its notification shows in the dev console.
    await until(
      async () => {
        const jobs = (await (await fetch(new URL('/api/jobs', consoleUrl))).json()) as {
          id: string;
          status: string;
        }[];
        return jobs.some((j) => j.id === jobId && j.status === 'succeeded');
      },
      30_000,
      'the reservation job succeeded',
    );
    await until(
      async () => {
        const feed = (await (await fetch(new URL('/api/notifications', consoleUrl))).json()) as {
          jobId?: string;
        }[];
        return feed.some((n) => n.jobId === jobId);
      },
      20_000,
      'the notification reached the dev console',
    );
    await typeAndSend(page, chat, `status of request ${jobId}`);
    expect(await lastBot(chat, ++bots)).toContain(jobId);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'chat-en.png') });

    // A reload keeps the tab's conversation (sessionStorage) and its session.
    const entries = chat.locator('[role=log] > *');
    const before = await entries.count();
    await page.reload();
    await expect.poll(() => entries.count()).toBe(before);
    await typeAndSend(page, chat, 'talk to a human');
    await chat.locator('[part~=handoff]').waitFor({ timeout: 20_000 });
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('offline: the message waits, the status says so, and it goes out when back online', async () => {
    const { page, context, chat } = await open('en');
    await expect.poll(() => chat.locator('.bot').count(), { timeout: 30_000 }).toBe(1);
    await context.setOffline(true);
    await typeAndSend(page, chat, 'where is my order 1002');
    await expect
      .poll(() => chat.locator('[part=status]').textContent())
      .toMatch(/offline|Connection problem/);
    expect(await chat.locator('.user').allTextContents()).toEqual(['You: where is my order 1002']);
    expect(await chat.locator('.bot').count()).toBe(1);
    await context.setOffline(false);
    await chat.locator('[part=card]').waitFor({ timeout: 40_000 });
    expect(await chat.locator('[part=card-title]').textContent()).toBe('Order 1002');
    expect(await chat.locator('[part=status]').textContent()).toBe('');
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('繁體中文: the widget and the agent in zh-TW', async () => {
    const { page, context, chat } = await open('zh-TW');
    expect(await chat.locator('[part=title]').textContent()).toBe('線上客服');
    expect(await chat.locator('[part=send]').textContent()).toBe('送出');
    await expect.poll(() => lastBot(chat, 1), { timeout: 30_000 }).toContain(zh.welcome);
    await typeAndSend(page, chat, '我的訂單 1001 在哪裡？');
    await chat.locator('[part=card]').waitFor({ timeout: 20_000 });
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'chat-zh-TW.png') });
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('日本語: the widget and the replies in ja', async () => {
    const { page, context, chat } = await open('ja');
    expect(await chat.locator('[part=title]').textContent()).toBe('チャットでお問い合わせ');
    expect(await chat.locator('input[part=input]').getAttribute('placeholder')).toBe(
      'メッセージを入力…',
    );
    // The demo agent has no Japanese (agent/: en, zh-tw), so the stand-in answers in its
    // default language; the widget's own words are Japanese.
    await expect
      .poll(() => lastBot(chat, 1), { timeout: 30_000 })
      .toMatch(new RegExp(`^アシスタント: (${ja.welcome}|${en.welcome})$`));
    expect(await chat.locator('[role=log]').getAttribute('aria-label')).toBe('会話');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'chat-ja.png') });
    // "New conversation" from the keyboard: the log empties and the welcome comes again.
    await typeAndSend(page, chat, 'こんにちは');
    await expect.poll(() => chat.locator('.bot').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await chat.locator('[part=restart]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => chat.locator('.user').count()).toBe(0);
    await expect.poll(() => chat.locator('.bot').count(), { timeout: 20_000 }).toBe(1);
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
