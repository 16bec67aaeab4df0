import { languages } from '@dialogflow-functions/core/messages';
import { REQUEST_SOURCES, type RequestSource } from '@dialogflow-functions/testing/requests';
import type { ParameterKind } from '../lib/values';

/*
 * What the console offers to pick: the demo agent's intents (ES display name, CX tag) with
 * typed parameters, the languages the bot has catalogues for and the platforms a request can
 * come from. Any other intent name can be typed in the page with free `name=value` parameters.
 */

export interface ParameterSpec {
  name: string;
  kind: ParameterKind;
  required: boolean;
  /** A value that works with the demo data, shown as the field's placeholder and default. */
  example?: string;
}

export interface IntentSpec {
  /** ES intent display name. */
  es: string;
  /** CX webhook tag (undefined: ES only). */
  cx: string | undefined;
  parameters: ParameterSpec[];
}

/** A date a week ahead (the reservation refuses past dates). */
function nextWeek(now: Date): string {
  return new Date(now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
}

/** The demo agent's intents (DESIGN.md, "the demo agent"), in the order a demo walks through. */
export function demoIntents(now = new Date()): IntentSpec[] {
  return [
    { es: 'Default Welcome Intent', cx: 'welcome', parameters: [] },
    {
      es: 'check_order',
      cx: 'check_order',
      parameters: [{ name: 'order_id', kind: 'text', required: true, example: '1001' }],
    },
    {
      es: 'check_inventory',
      cx: 'check_inventory',
      parameters: [{ name: 'product', kind: 'text', required: true, example: 'latte' }],
    },
    {
      es: 'get_weather',
      cx: 'get_weather',
      parameters: [{ name: 'geo-city', kind: 'text', required: true, example: 'Taipei' }],
    },
    {
      es: 'make_reservation',
      cx: 'make_reservation',
      parameters: [
        { name: 'date', kind: 'date', required: true, example: nextWeek(now) },
        { name: 'time', kind: 'time', required: true, example: '19:00' },
        { name: 'party_size', kind: 'number', required: true, example: '4' },
        { name: 'name', kind: 'person', required: true, example: 'Lin' },
        { name: 'email', kind: 'text', required: false },
      ],
    },
    {
      es: 'task_status',
      cx: 'task_status',
      parameters: [{ name: 'task_id', kind: 'text', required: false }],
    },
    {
      es: 'validate_order_id',
      cx: 'validate_order_id',
      parameters: [{ name: 'order_id', kind: 'text', required: true, example: '12/34' }],
    },
    {
      es: 'watch_order',
      cx: 'watch_order',
      parameters: [
        { name: 'order_id', kind: 'text', required: true, example: '1002' },
        { name: 'email', kind: 'text', required: false },
      ],
    },
    { es: 'Default Fallback Intent', cx: 'fallback', parameters: [] },
  ];
}

/** The sources the console offers (LINE's legacy request shape is for the simulator's tests). */
export const CONSOLE_SOURCES: RequestSource[] = REQUEST_SOURCES.filter((s) => s !== 'line-legacy');

/** The languages the bot answers in, read from shared/messages. */
export function consoleLanguages(): string[] {
  return [...languages];
}
