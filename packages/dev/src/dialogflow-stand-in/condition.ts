import type { CxPage } from '../lib/agent/model';
import { callSystemFunction, SYSTEM_FUNCTIONS } from './system-functions';
import type { Json, JsonObject } from './values';

/*
 * CX's expression language, as the stand-in runs it: route conditions (the conditions reference:
 * `:` `=` `!=` `<` `<=` `>` `>=`, AND / OR / NOT, parentheses, `true` / `false` / `null`,
 * numbers, quoted strings and unquoted literals such as `large` or `N/A`), parameter references
 * (`$session.params.x`, `$page.params.x`, `$page.params.status`, `$page.params.x.status`,
 * `$flow.x`, `$intent.params.x.original|resolved`, `$request.user-utterance`, with `.field` and
 * `[n]` after them) and `$sys.func.NAME(...)` system functions, in conditions, parameter presets
 * and the text of static messages. What it cannot run is an UnsupportedConditionError: the
 * loader names it in a warning, and a route whose condition throws it is not taken.
 */
export class UnsupportedConditionError extends Error {
  override readonly name = 'UnsupportedConditionError';
}

export interface ConditionScope {
  /** Session parameters. */
  state: JsonObject;
  /** Parameters of the current flow (`$flow.x`). */
  flow?: JsonObject;
  page: CxPage | undefined;
  /** Every required form parameter of the page is filled. */
  formComplete: boolean;
  /** Form parameters filled this turn (`$page.params.x.status = "UPDATED"`). */
  justCollected?: ReadonlySet<string>;
  /** The matched intent's parameters (`$intent.params.x.resolved`). */
  intentParams?: Record<string, { original: string; resolved: Json }>;
  /** The user's text (`$request.user-utterance`). */
  text?: string;
}

type Token =
  | { t: 'str'; v: string }
  | { t: 'ref'; v: string }
  | { t: 'func'; v: string }
  | { t: 'word'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: string };

const OPS = ['!=', '<=', '>=', '=', '<', '>', ':'];
const REF = /^\$[A-Za-z_][\w-]*(?:\.[\w-]+)*(?:\[\d+\](?:\.[\w-]+)*)*/;

function tokenize(source: string, from = 0): { tokens: Token[]; ends: number[] } {
  const tokens: Token[] = [];
  const ends: number[] = [];
  let i = from;
  const push = (token: Token, end: number) => {
    tokens.push(token);
    ends.push(end);
    i = end;
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\' && j + 1 < source.length) j += 1;
        v += source[j];
        j += 1;
      }
      if (j >= source.length) throw new UnsupportedConditionError(`unclosed string in ${source}`);
      push({ t: 'str', v }, j + 1);
      continue;
    }
    const func = /^\$sys\.func\.([A-Za-z_]+)\s*\(/.exec(source.slice(i));
    if (func) {
      push({ t: 'func', v: func[1] as string }, i + func[0].length);
      continue;
    }
    if (c === '$') {
      const ref = REF.exec(source.slice(i));
      if (!ref) throw new UnsupportedConditionError(`cannot read ${source.slice(i)}`);
      push({ t: 'ref', v: ref[0] }, i + ref[0].length);
      continue;
    }
    const op = OPS.find((o) => source.startsWith(o, i));
    if (op) {
      push({ t: 'op', v: op }, i + op.length);
      continue;
    }
    if ('()[],'.includes(c)) {
      push({ t: 'punct', v: c }, i + 1);
      continue;
    }
    // An unquoted literal: everything up to a space, an operator or punctuation.
    const word = /^[^\s()[\],!=<>:"']+/.exec(source.slice(i));
    if (!word) throw new UnsupportedConditionError(`cannot read ${source.slice(i)}`);
    push({ t: 'word', v: word[0] }, i + word[0].length);
  }
  return { tokens, ends };
}

const isNumber = (w: string) => /^-?\d+(?:\.\d+)?$/.test(w);

function literal(word: string): Json {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  if (isNumber(word)) return Number(word);
  return word;
}

/** A parameter's value by name, case-insensitively (CX parameter names are). */
function lookup(params: JsonObject | undefined, name: string): Json | undefined {
  if (!params) return undefined;
  if (name in params) return params[name];
  const lower = name.toLowerCase();
  const key = Object.keys(params).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : params[key];
}

/** `.field` and `[n]` after a parameter. */
function walk(value: Json | undefined, rest: string): Json {
  let v: Json | undefined = value;
  for (const m of rest.matchAll(/\.([\w-]+)|\[(\d+)\]/g)) {
    if (v === null || v === undefined) return null;
    if (m[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
    else if (typeof v === 'object' && !Array.isArray(v)) v = lookup(v, m[1] as string);
    else v = undefined;
  }
  return v ?? null;
}

/** The value of a parameter reference. */
export function resolveReference(ref: string, scope: ConditionScope): Json {
  if (ref === '$page.params.status') {
    return scope.page && scope.page.form.length > 0 && scope.formComplete ? 'FINAL' : null;
  }
  let m = /^\$page\.params\.([\w-]+)\.status$/.exec(ref);
  if (m) return scope.justCollected?.has(m[1] as string) ? 'UPDATED' : null;
  m = /^\$page\.params\.([\w-]+)(.*)$/.exec(ref);
  if (m) {
    const name = m[1] as string;
    const onPage = scope.page?.form.some((p) => p.name === name);
    return onPage ? walk(lookup(scope.state, name), m[2] as string) : null;
  }
  m = /^\$session\.params\.([\w-]+)(.*)$/.exec(ref);
  if (m) return walk(lookup(scope.state, m[1] as string), m[2] as string);
  m = /^\$flow\.([\w-]+)(.*)$/.exec(ref);
  if (m) return walk(lookup(scope.flow, m[1] as string), m[2] as string);
  m = /^\$intent\.params\.([\w-]+)(?:\.(original|resolved))?(.*)$/.exec(ref);
  if (m) {
    const p = scope.intentParams?.[m[1] as string];
    if (!p) return null;
    return m[2] === 'original' ? p.original : walk(p.resolved, m[3] as string);
  }
  if (ref === '$request.user-utterance') return scope.text ?? null;
  throw new UnsupportedConditionError(`unsupported reference ${ref}`);
}

/** A value as CX puts it in text: strings as they are, numbers as numbers, the rest as JSON. */
export function asText(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The right-hand side cast to the left-hand side's type, as CX compares them. */
function cast(right: Json, left: Json): Json {
  if (right === null || left === null) return right;
  if (typeof left === 'number') {
    const n = typeof right === 'string' && isNumber(right.trim()) ? Number(right) : right;
    return n;
  }
  if (typeof left === 'boolean' && typeof right === 'string') {
    return right === 'true' ? true : right === 'false' ? false : right;
  }
  if (typeof left === 'string' && (typeof right === 'number' || typeof right === 'boolean')) {
    return String(right);
  }
  return right;
}

function compare(left: Json, op: string, rightRaw: Json): boolean {
  const right = cast(rightRaw, left);
  if (right === null || left === null) {
    const same = left === right;
    return op === '=' || op === ':' ? same : op === '!=' ? !same : false;
  }
  const eq = JSON.stringify(left) === JSON.stringify(right);
  switch (op) {
    case '=':
      return eq;
    case '!=':
      return !eq;
    case ':':
      return typeof left === 'string' && typeof right === 'string' ? left.includes(right) : eq;
    default: {
      const bothNumbers = typeof left === 'number' && typeof right === 'number';
      const bothStrings = typeof left === 'string' && typeof right === 'string';
      if (!bothNumbers && !bothStrings) return false;
      const a = left as number | string;
      const b = right as number | string;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
}

class Parser {
  i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly scope: ConditionScope,
    /** String literals get their references filled in (presets, messages), not in IF's condition. */
    private readonly templated: boolean,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new UnsupportedConditionError(`incomplete expression: ${this.source}`);
    return t;
  }
  expect(v: string): void {
    const t = this.next();
    if (t.v !== v || (t.t !== 'punct' && t.t !== 'op')) {
      throw new UnsupportedConditionError(`expected ${v} in ${this.source}`);
    }
  }
  isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.t === 'word' && t.v === word;
  }

  /** or := and (OR and)* ; and := not (AND not)* (mixing both without parentheses is invalid in CX). */
  condition(): boolean {
    const first = this.conjunction();
    let result = first.value;
    let joined = first.joined;
    while (this.isKeyword('OR')) {
      this.next();
      const next = this.conjunction();
      if (joined || next.joined) {
        throw new UnsupportedConditionError(`AND and OR mixed without parentheses: ${this.source}`);
      }
      result = next.value || result;
      joined = false;
    }
    return result;
  }

  conjunction(): { value: boolean; joined: boolean } {
    let value = this.negation();
    let joined = false;
    while (this.isKeyword('AND')) {
      this.next();
      value = this.negation() && value;
      joined = true;
    }
    return { value, joined };
  }

  negation(): boolean {
    if (this.isKeyword('NOT')) {
      this.next();
      return !this.negation();
    }
    const t = this.peek();
    if (t?.t === 'punct' && t.v === '(') {
      this.next();
      const v = this.condition();
      this.expect(')');
      return v;
    }
    const left = this.value();
    const op = this.peek();
    if (op?.t === 'op') {
      this.next();
      return compare(left, op.v, this.value());
    }
    if (typeof left !== 'boolean') {
      throw new UnsupportedConditionError(`not a boolean: ${this.source}`);
    }
    return left;
  }

  value(): Json {
    const t = this.next();
    switch (t.t) {
      case 'str':
        return this.templated ? fillTemplate(t.v, this.scope) : t.v;
      case 'word':
        return literal(t.v);
      case 'ref':
        return resolveReference(t.v, this.scope);
      case 'func':
        return this.call(t.v);
      case 'punct':
        if (t.v === '[') {
          const items: Json[] = [];
          while (!(this.peek()?.t === 'punct' && this.peek()?.v === ']')) {
            items.push(this.value());
            if (this.peek()?.v === ',') this.next();
          }
          this.next();
          return items;
        }
        if (t.v === '(') {
          const v = this.value();
          this.expect(')');
          return v;
        }
        break;
      case 'op':
        // A bare `-` sign or the like: not CX syntax.
        break;
    }
    throw new UnsupportedConditionError(`cannot read ${this.source}`);
  }

  call(name: string): Json {
    const upper = name === 'rand' ? 'RAND' : name;
    if (!SYSTEM_FUNCTIONS.has(upper)) {
      throw new UnsupportedConditionError(`system function $sys.func.${name} is not run here`);
    }
    const args: Json[] = [];
    if (upper === 'IF') {
      // The condition is a string holding a condition: evaluated, not filled in.
      const c = this.peek();
      if (c?.t === 'str') {
        this.next();
        args.push(evaluateCondition(c.v, this.scope));
      } else {
        args.push(this.value() === true);
      }
      if (this.peek()?.v === ',') this.next();
    }
    while (!(this.peek()?.t === 'punct' && this.peek()?.v === ')')) {
      args.push(this.value());
      const sep = this.peek();
      if (sep?.t === 'punct' && sep.v === ',') this.next();
      else if (!(sep?.t === 'punct' && sep.v === ')')) {
        throw new UnsupportedConditionError(`cannot read the arguments of ${name}: ${this.source}`);
      }
    }
    this.next();
    return callSystemFunction(upper, args);
  }
}

/** Evaluates a route condition; throws UnsupportedConditionError for what it cannot run. */
export function evaluateCondition(condition: string, scope: ConditionScope): boolean {
  const { tokens } = tokenize(condition);
  if (tokens.length === 0) return true;
  const parser = new Parser(tokens, condition, scope, false);
  const result = parser.condition();
  if (parser.i !== tokens.length) {
    throw new UnsupportedConditionError(`cannot read condition: ${condition}`);
  }
  return result;
}

/** The value of one expression (a reference, a function call, a literal). */
export function evaluateExpression(expression: string, scope: ConditionScope): Json {
  const { tokens } = tokenize(expression);
  const parser = new Parser(tokens, expression, scope, true);
  const value = parser.value();
  if (parser.i !== tokens.length) {
    throw new UnsupportedConditionError(`cannot read ${expression}`);
  }
  return value;
}

// A reference in text ends before a trailing dot or dash ("… is $session.params.status.").
const TEXT_REF =
  /\$(?:session\.params|page\.params|flow|intent\.params|request)\.[\w-]+(?:\.[\w-]+)*(?:\[\d+\](?:\.[\w-]+)*)*/g;

/** Finds where a `$sys.func.X(` call starting at `start` ends (its closing parenthesis). */
function callEnd(text: string, start: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new UnsupportedConditionError(`unbalanced ( in ${text}`);
}

/**
 * A parameter preset's or a message's string with its references and function calls filled in.
 * A string that is one expression only keeps the expression's type (a list stays a list).
 */
export function fillTemplate(text: string, scope: ConditionScope): Json {
  if (!text.includes('$')) return text;
  const trimmed = text.trim();
  if (trimmed.startsWith('$sys.func.') && callEnd(trimmed, 0) === trimmed.length) {
    return evaluateExpression(trimmed, scope);
  }
  const whole = new RegExp(`^${TEXT_REF.source}$`).exec(trimmed);
  if (whole) return resolveReference(trimmed.replace(/[.-]+$/, ''), scope);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) break;
    out += text.slice(i, at);
    if (text.startsWith('$sys.func.', at)) {
      const end = callEnd(text, at);
      out += asText(evaluateExpression(text.slice(at, end), scope));
      i = end;
      continue;
    }
    TEXT_REF.lastIndex = at;
    const m = TEXT_REF.exec(text);
    if (m && m.index === at) {
      const ref = m[0].replace(/[.-]+$/, '');
      out += asText(resolveReference(ref, scope));
      i = at + ref.length;
      continue;
    }
    out += '$';
    i = at + 1;
  }
  return out + text.slice(i);
}

/** Fills every string of a message (text, payload) in. */
export function fillMessage(message: Json, scope: ConditionScope): Json {
  if (typeof message === 'string') {
    const v = fillTemplate(message, scope);
    return typeof v === 'string' ? v : asText(v);
  }
  if (Array.isArray(message)) return message.map((m) => fillMessage(m, scope));
  if (message && typeof message === 'object') {
    return Object.fromEntries(Object.entries(message).map(([k, v]) => [k, fillMessage(v, scope)]));
  }
  return message;
}

/** Why a condition (or a preset's or message's expression) cannot run here, or undefined. */
export function whyUnsupported(
  expression: string,
  kind: 'condition' | 'template',
): string | undefined {
  const scope: ConditionScope = { state: {}, flow: {}, page: undefined, formComplete: false };
  try {
    if (kind === 'condition') evaluateCondition(expression, scope);
    else fillTemplate(expression, scope);
    return undefined;
  } catch (err) {
    if (err instanceof UnsupportedConditionError) return err.message;
    return (err as Error).message;
  }
}

/** Conditions of an agent the stand-in cannot evaluate (to warn about when it loads). */
export function unsupportedConditions(conditions: string[]): string[] {
  return conditions.filter((c) => whyUnsupported(c, 'condition') !== undefined);
}
