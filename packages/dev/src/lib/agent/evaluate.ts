import { parseArgs } from 'node:util';
import { understand } from '../../dialogflow-stand-in/understand';
import { zonedNow } from '../../dialogflow-stand-in/entities';
import { agentFiles } from './generate';
import { AgentFormatError, loadAgent } from './load';
import type { AgentModel, IntentDef } from './model';
import { AGENT_ROOT } from './package';

/*
 * `dff agent evaluate [es|cx] [--min-f1 N] [--folds K]`: k-fold cross-validation of an
 * agent's own training phrases with the stand-in's understanding, as `rasa test nlu` does.
 * Each intent's phrases (per language) are dealt round the folds; each fold is understood
 * by an agent trained without it. The report: per-intent precision, recall and F1, the most
 * confused pairs, and every phrase that lands elsewhere. Bot authors use it to find
 * overlapping intents before their users do.
 */

/** Predicted "intent" when nothing reaches the threshold. */
export const NO_MATCH = '(no match)';

export interface Prediction {
  language: string;
  text: string;
  expected: string;
  predicted: string;
  score: number;
}

export interface IntentScore {
  intent: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  folds: number;
  predictions: Prediction[];
  intents: IntentScore[];
  /** Unweighted mean of the intents' F1. */
  macroF1: number;
  accuracy: number;
  /** (expected → predicted) pairs with their counts, most first. */
  confusions: { expected: string; predicted: string; count: number }[];
}

const phraseText = (parts: { text: string }[]) => parts.map((p) => p.text).join('');

/** The agent without the phrases of fold `fold` (a phrase's fold: its index among its intent's phrases in its language, mod k). */
function withoutFold(agent: AgentModel, folds: number, fold: number) {
  const held: { intent: IntentDef; language: string; text: string }[] = [];
  const intents = agent.intents.map((intent) => {
    const seen = new Map<string, number>();
    const phrases = intent.phrases.filter((p) => {
      const i = seen.get(p.language) ?? 0;
      seen.set(p.language, i + 1);
      if (i % folds !== fold) return true;
      held.push({ intent, language: p.language, text: phraseText(p.parts) });
      return false;
    });
    return { ...intent, phrases };
  });
  return { agent: { ...agent, intents }, held };
}

/** Cross-validates `agent` with `folds` folds. Deterministic: the same agent gives the same report. */
export async function evaluateAgent(agent: AgentModel, folds = 5): Promise<Evaluation> {
  const now = zonedNow(agent.timeZone);
  const predictions: Prediction[] = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const { agent: trained, held } = withoutFold(agent, folds, fold);
    for (const h of held) {
      const u = await understand(trained, h.text, h.language, { now });
      predictions.push({
        language: h.language,
        text: h.text,
        expected: h.intent.name,
        predicted: u.match?.intent.name ?? NO_MATCH,
        score: u.match?.confidence ?? u.candidates[0]?.score ?? 0,
      });
    }
  }
  const names = [...new Set(predictions.map((p) => p.expected))].sort();
  const intents = names.map((intent): IntentScore => {
    const tp = predictions.filter((p) => p.expected === intent && p.predicted === intent).length;
    const predicted = predictions.filter((p) => p.predicted === intent).length;
    const support = predictions.filter((p) => p.expected === intent).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { intent, precision, recall, f1, support };
  });
  const pairs = new Map<string, { expected: string; predicted: string; count: number }>();
  for (const p of predictions) {
    if (p.expected === p.predicted) continue;
    const key = `${p.expected}\u0000${p.predicted}`;
    const entry = pairs.get(key) ?? { expected: p.expected, predicted: p.predicted, count: 0 };
    entry.count += 1;
    pairs.set(key, entry);
  }
  return {
    folds,
    predictions,
    intents,
    macroF1: intents.length ? intents.reduce((n, i) => n + i.f1, 0) / intents.length : 0,
    accuracy: predictions.length
      ? predictions.filter((p) => p.expected === p.predicted).length / predictions.length
      : 0,
    confusions: [...pairs.values()].sort(
      (a, b) =>
        b.count - a.count ||
        a.expected.localeCompare(b.expected) ||
        a.predicted.localeCompare(b.predicted),
    ),
  };
}

const pct = (n: number) => n.toFixed(2);

/** The report as `dff agent evaluate` prints it. */
export function formatEvaluation(label: string, e: Evaluation): string {
  const width = Math.max(6, ...e.intents.map((i) => i.intent.length));
  const lines = [
    `${label}: ${e.predictions.length} phrases, ${e.folds}-fold cross-validation with the stand-in's NLU`,
    '',
    `${'intent'.padEnd(width)}  precision  recall  f1    support`,
    ...e.intents.map(
      (i) =>
        `${i.intent.padEnd(width)}  ${pct(i.precision).padStart(9)}  ${pct(i.recall).padStart(6)}  ${pct(i.f1).padEnd(4)}  ${String(i.support).padStart(7)}`,
    ),
    '',
    `accuracy ${pct(e.accuracy)}, macro F1 ${pct(e.macroF1)}`,
  ];
  lines.push('', 'most confused (expected → predicted):');
  if (e.confusions.length === 0) lines.push('  none');
  for (const c of e.confusions.slice(0, 10)) {
    lines.push(`  ${c.count} × ${c.expected} → ${c.predicted}`);
  }
  const wrong = e.predictions.filter((p) => p.expected !== p.predicted);
  lines.push('', `misclassified phrases (${wrong.length}):`);
  if (wrong.length === 0) lines.push('  none');
  for (const p of wrong) {
    lines.push(
      `  [${p.language}] ${JSON.stringify(p.text)}: ${p.expected} → ${p.predicted} (${pct(p.score)})`,
    );
  }
  return lines.join('\n');
}

const USAGE = 'usage: dff agent evaluate [es|cx] [--min-f1 N] [--folds K] [--agent-dir DIR]';

/** The `evaluate` command: 0 when every edition's macro F1 reaches --min-f1, 1 below, 2 on bad usage. */
export async function runEvaluate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'min-f1': { type: 'string' },
      folds: { type: 'string', default: '5' },
      'agent-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const editions = positionals.length ? positionals : ['es', 'cx'];
  const minF1 = values['min-f1'] === undefined ? undefined : Number(values['min-f1']);
  const folds = Number(values.folds);
  if (
    editions.some((e) => e !== 'es' && e !== 'cx') ||
    (minF1 !== undefined && !(minF1 >= 0 && minF1 <= 1)) ||
    !(Number.isInteger(folds) && folds >= 2)
  ) {
    console.error(USAGE);
    return 2;
  }
  const root = values['agent-dir'] ?? AGENT_ROOT;
  let below = false;
  for (const edition of editions as ('es' | 'cx')[]) {
    let agent: AgentModel;
    try {
      agent = loadAgent(edition, agentFiles(edition, root));
    } catch (err) {
      if (err instanceof AgentFormatError) {
        console.error(`${root} (${edition}): ${err.message}`);
        return 1;
      }
      throw err;
    }
    const e = await evaluateAgent(agent, folds);
    console.log(formatEvaluation(`${edition.toUpperCase()} agent ${agent.displayName}`, e));
    if (minF1 !== undefined && e.macroF1 < minF1) {
      console.log(
        `\n${edition.toUpperCase()}: macro F1 ${pct(e.macroF1)} is below --min-f1 ${minF1}`,
      );
      below = true;
    }
    console.log('');
  }
  return below ? 1 : 0;
}
