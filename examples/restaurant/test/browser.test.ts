import { afterAll } from 'vitest';
import { stopBrowserStack } from './helpers/browser-stack';
// The suites, in this order: the dev console's, then the chat widget's (browser/*.ts).
import './browser/dev-console';
import './browser/chat-widget';

/*
 * The browser suites: the dev console and the chat widget in Debian's chromium, on one stack
 * `dff start` runs as `npm start` does, and one browser, shared (helpers/browser-stack.ts): a
 * stack and a chromium each cost about 6 CPU-s of a run's 2 cores. Stopped once both suites end.
 */

afterAll(() => stopBrowserStack(), 60_000);
