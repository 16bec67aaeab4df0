import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/messages';
import { browserStack } from '../helpers/browser-stack';
import { REPO } from '../helpers/paths';

/*
 * The dev console in a real browser (Debian's chromium driven by playwright-core) against the
 * whole local stack exactly as `npm start` runs it, on free ports (the browser suites' one
 * stack: ../helpers/browser-stack.ts; run by ../browser.test.ts): the printed console URL,
 * a greeting, a reservation from LINE, the job moving to succeeded, the LINE push arriving in
 * the conversation, in English and in Traditional Chinese. With UPDATE_SCREENSHOTS=1 the
 * screenshots go to docs/ (the README shows them); otherwise to a temporary folder.
 */

const en = messagesFor('en');
const zh = messagesFor('zh-TW');

const screenshots =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(REPO, 'docs')
    : mkdtempSync(join(tmpdir(), 'dev-console-'));

describe('the dev console in a browser, on the stack npm start runs', () => {
  let consoleUrl: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ consoleUrl, browser } = await browserStack());
  }, 240_000);

  /** Opens the console with a fresh conversation in `ui`, the bot in `language`, from LINE. */
  async function open(ui: string, language: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1300 }, locale: ui });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${consoleUrl}?ui=${ui}`);
    await page.waitForSelector('body[data-ready=true]');
    await page.selectOption('#language', language);
    await page.selectOption('#source', 'line');
    return page;
  }

  /** Types the greeting through the Dialogflow stand-in: `/` to the sentence box, Enter. */
  async function greet(page: Page, text: string): Promise<void> {
    expect(await page.isEnabled('#sentence'), (await page.textContent('#say-note')) ?? '').toBe(
      true,
    );
    // From nowhere in particular, `/` goes to the sentence box.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'sentence',
    );
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await page.locator('.entry.turn[data-turn="1"] .inspect-button').waitFor({ timeout: 20_000 });
    // The inspector shows what the stand-in matched.
    expect(await page.locator('.match').textContent()).toContain('Default Welcome Intent');
  }

  /** Waits for the n-th answered turn and returns its bot texts. */
  async function answered(page: Page, n: number): Promise<string[]> {
    const turn = page.locator(`.entry.turn[data-turn="${n}"]`);
    await turn.locator('.inspect-button').waitFor({ timeout: 20_000 });
    const failed = await turn.locator('.bubble.error').allTextContents();
    expect(failed, 'the turn failed').toEqual([]);
    return turn.locator('.bubble.bot').allTextContents();
  }

  async function reservationLoop(
    page: Page,
    t: typeof en,
    labels: { succeeded: string; valid: string },
  ) {
    // A reservation picked as an intent: its typed fields come filled with a week from now.
    await page.keyboard.press('Alt+I');
    await page.selectOption('#intent', 'make_reservation');
    const date = await page.inputValue('.param-value[data-name=date]');
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Enter in a field sends the intent (keyboard only).
    await page.focus('.param-value[data-name=name]');
    await page.keyboard.press('Enter');
    const [reply] = await answered(page, 2);
    const jobId = reply!.match(/r-[0-9a-z]{12}/)?.[0];
    expect(jobId, `a job id in: ${reply}`).toBeDefined();
    expect(reply).toBe(
      t.reservationQueued({ jobId: jobId!, date, time: '19:00', partySize: 4, name: 'Lin' }),
    );
    await expect
      .poll(() => page.locator('.verdict').first().getAttribute('data-verdict'))
      .toBe('valid');
    expect(await page.locator('.verdict').first().textContent()).toContain(labels.valid);

    // The job moves to succeeded, in the conversation and in the jobs panel.
    const inChat = page.locator(`.job-line[data-job="${jobId}"] .badge`);
    await expect
      .poll(() => inChat.getAttribute('data-status'), { timeout: 20_000 })
      .toBe('succeeded');
    expect(await inChat.textContent()).toBe(labels.succeeded);
    const job = page.locator(`li.job[data-job="${jobId}"]`);
    await expect.poll(() => job.getAttribute('data-status')).toBe('succeeded');
    await expect.poll(() => job.locator('.dispatch.done').count(), { timeout: 10_000 }).toBe(1);

    // The LINE push arrives in this conversation, verified, with the confirmation.
    const push = page.locator('.push-entry [data-channel=line]');
    await push.waitFor({ timeout: 20_000 });
    const text = await push.locator('.push-text').textContent();
    const code = text?.match(/[A-Z0-9]{6,}(?=[.。])/)?.[0];
    expect(text).toBe(
      t.reservationConfirmed({ code: code!, date, time: '19:00', partySize: 4, name: 'Lin' }),
    );
    expect(await push.locator('.meta').textContent()).toContain('✓');
    // Let the other channels land too before the picture.
    await page.locator('.push-entry [data-channel=webhook]').waitFor({ timeout: 10_000 });
  }

  it('English: greeting, reservation from LINE, job succeeded, LINE push', async () => {
    const page = await open('en', 'en');
    await greet(page, 'hi');
    const greeting = await answered(page, 1);
    expect(greeting[0]).toBe(en.welcome);
    expect(await page.locator('.entry.turn[data-turn="1"] .chip').allTextContents()).toEqual(
      en.welcomeSuggestions,
    );
    await reservationLoop(page, en, { succeeded: 'succeeded', valid: 'Valid WebhookResponse' });
    await page.screenshot({ path: join(screenshots, 'dev-console-en.png') });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('繁體中文: the same loop with the interface and the bot in zh-TW', async () => {
    const page = await open('zh-TW', 'zh-TW');
    expect(await page.textContent('h1')).toBe('Dialogflow 開發主控台');
    await greet(page, '你好');
    expect((await answered(page, 1))[0]).toBe(zh.welcome);
    await reservationLoop(page, zh, { succeeded: '已完成', valid: 'WebhookResponse 格式正確' });
    await page.screenshot({ path: join(screenshots, 'dev-console-zh-TW.png') });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
