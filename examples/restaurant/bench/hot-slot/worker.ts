import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadConfigOrExit, type BotConfig } from '@dialogflow-functions/core/config';
import { createWorker } from '@dialogflow-functions/core/worker';
import bot from '../../bot';
import { demoJobs } from '../../src/jobs';
import { legacyJobs } from './legacy-reservation';

/*
 * One worker process of the hot-slot bench: the real worker (functions-framework's server, the
 * worker handler, the restaurant's job types) with the booking `HOT_SLOT_DESIGN` names: `seats`
 * (the current one) or `legacy` (the slot counter in a transaction). Listens on `PORT` (loopback).
 */
const design = process.env.HOT_SLOT_DESIGN === 'legacy' ? 'legacy' : 'seats';
const jobs = design === 'legacy' ? legacyJobs : demoJobs;
const config = loadConfigOrExit('worker', process.env, bot.env) as BotConfig;
// The bot's messages and channels, as serve(bot) passes them (its job types replaced).
http(
  'worker',
  createWorker(config, { jobs, messages: bot.messages, channels: bot.channels }) as Parameters<
    typeof http
  >[1],
);
getTestServer('worker').listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(JSON.stringify({ severity: 'INFO', message: 'hot-slot worker ready', design }));
});
