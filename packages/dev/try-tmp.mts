import { readAgentDir, loadAgent } from '@dialogflow-functions/dev/lib/agent/load';
import { cxExpressionWarnings } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import { unknownEntityTypes } from '@dialogflow-functions/dev/dialogflow-stand-in/entities';
import { understand, KNOWN_SYSTEM_TYPES } from '@dialogflow-functions/dev/dialogflow-stand-in/understand';
import { CxAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/cx-session';
import { EsAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/es-session';
const [edition, dir] = process.argv.slice(2) as ['es' | 'cx', string];
let agent;
try {
  agent = loadAgent(edition, readAgentDir(dir));
} catch (e) { console.log('LOAD FAILED', (e as Error).message); process.exit(0); }
const warnings = [...agent.warnings];
for (const t of unknownEntityTypes(agent).filter((x) => !KNOWN_SYSTEM_TYPES.has(x))) warnings.push(`entity type @${t} unknown`);
if (edition === 'cx') warnings.push(...cxExpressionWarnings(agent));
console.log(`loaded ${agent.displayName}: ${agent.intents.length} intents, ${agent.entityTypes.size} entity types, ${agent.flows.size} flows, languages ${agent.languages}`);
console.log(`warnings (${warnings.length}):`); for (const w of warnings.slice(0, 15)) console.log('  -', w.slice(0, 220));
let total = 0, ok = 0; const misses: string[] = [];
for (const intent of agent.intents) {
  if (intent.fallback) continue;
  for (const p of intent.phrases) {
    if (p.language !== agent.defaultLanguage) continue;
    const text = p.parts.map((x) => x.text).join('');
    total++;
    const u = await understand(agent, text, p.language, { candidates: (i) => i.inputContexts.every((c) => intent.inputContexts.includes(c)), prefer: (i) => i.inputContexts.length > 0 });
    if (u.match?.intent.name === intent.name) ok++; else misses.push(`${text} -> ${u.match?.intent.name ?? 'none'} (want ${intent.name})`);
  }
}
console.log(`exact phrases matched: ${ok}/${total} (${(100*ok/Math.max(total,1)).toFixed(1)}%)`);
for (const m of misses.slice(0, 8)) console.log('  miss:', m);
// A short conversation through the session runner, to see it does not crash.
const texts = process.argv.slice(4);
if (edition === 'cx') {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const tag = JSON.parse(body).fulfillmentInfo?.tag;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(tag === 'geocode' ? { sessionInfo: { parameters: { formatted_address: '' } } } : {}));
    });
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const s = new CxAgentSessions({ agent, webhookUrl: url });
  process.on('beforeExit', () => server.close());
  for (const text of texts) {
    const r: any = await s.detectIntent({ session: 'projects/p/locations/l/agents/a/sessions/t', queryInput: { text: { text }, languageCode: agent.defaultLanguage } });
    console.log(`  > ${text} => ${r.queryResult.match.intent?.displayName ?? r.queryResult.match.matchType} @ ${r.queryResult.currentPage.displayName}: ${JSON.stringify(r.queryResult.responseMessages.flatMap((m: any) => m.text?.text ?? [])).slice(0, 300)}`);
  }
  server.close();
} else {
  const s = new EsAgentSessions({ agent, webhookUrl: 'http://127.0.0.1:9/' });
  for (const text of texts) {
    const r: any = await s.detectIntent({ session: 'projects/p/agent/sessions/t', queryInput: { text: { text, languageCode: agent.defaultLanguage } } });
    console.log(`  > ${text} => ${r.queryResult.intent?.displayName}: ${JSON.stringify(r.queryResult.parameters).slice(0,150)} ${r.queryResult.fulfillmentText}`);
  }
}
