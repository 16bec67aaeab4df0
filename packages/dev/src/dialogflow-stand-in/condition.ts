import type { CxPage } from '../lib/agent/model';
import type { Json, JsonObject } from './values';

/*
 * The part of CX's condition syntax the stand-in evaluates: `true`, `false`, comparisons
 * (`=`, `!=`, `<`, `<=`, `>`, `>=`) between `$page.params.status`, `$page.params.<name>`,
 * `$session.params.<name>`, strings, numbers, `null`, `true` and `false`, joined by AND / OR
 * (AND binds tighter). Anything else is an UnsupportedConditionError.
 */
export class UnsupportedConditionError extends Error {
  override readonly name = 'UnsupportedConditionError';
}

export interface ConditionScope {
  state: JsonObject;
  page: CxPage | undefined;
  /** Every required form parameter of the page is filled. */
  formComplete: boolean;
}

const TOKEN =
  /\s*("(?:[^"\\]|\\.)*"|\$[A-Za-z_][\w.-]*|-?\d+(?:\.\d+)?|!=|<=|>=|=|<|>|\(|\)|[A-Za-z_]+)/y;

function tokenize(condition: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let rest = condition.trim();
  while (rest !== '') {
    TOKEN.lastIndex = 0;
    const m = TOKEN.exec(rest);
    if (!m) throw new UnsupportedConditionError(`cannot read condition: ${condition}`);
    tokens.push(m[1] as string);
    rest = rest.slice(m[0].length).trim();
  }
  return tokens;
}

function operand(token: string, scope: ConditionScope): Json {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (/^-?\d/.test(token)) return Number(token);
  const word = token.toLowerCase();
  if (word === 'null') return null;
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (token === '$page.params.status') {
    return scope.page && scope.page.form.length > 0 && scope.formComplete ? 'FINAL' : null;
  }
  let m = token.match(/^\$page\.params\.([\w-]+)$/);
  if (m) {
    const name = m[1] as string;
    return scope.page?.form.some((p) => p.name === name) ? (scope.state[name] ?? null) : null;
  }
  m = token.match(/^\$session\.params\.([\w-]+)$/);
  if (m) return scope.state[m[1] as string] ?? null;
  throw new UnsupportedConditionError(`unsupported operand ${token}`);
}

function compare(a: Json, op: string, b: Json): boolean {
  const eq = JSON.stringify(a) === JSON.stringify(b);
  switch (op) {
    case '=':
      return eq;
    case '!=':
      return !eq;
    default: {
      if (typeof a !== 'number' || typeof b !== 'number') return false;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
}

/** Evaluates a route condition; throws UnsupportedConditionError for syntax it does not know. */
export function evaluateCondition(condition: string, scope: ConditionScope): boolean {
  const tokens = tokenize(condition);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];

  const primary = (): boolean => {
    if (peek() === '(') {
      next();
      const v = or();
      if (next() !== ')') throw new UnsupportedConditionError(`unbalanced ( in ${condition}`);
      return v;
    }
    const left = next();
    if (left === undefined)
      throw new UnsupportedConditionError(`incomplete condition ${condition}`);
    const op = peek();
    if (op && ['=', '!=', '<', '<=', '>', '>='].includes(op)) {
      next();
      const right = next();
      if (right === undefined)
        throw new UnsupportedConditionError(`incomplete condition ${condition}`);
      return compare(operand(left, scope), op, operand(right, scope));
    }
    const value = operand(left, scope);
    if (typeof value !== 'boolean') {
      throw new UnsupportedConditionError(`not a boolean: ${left} in ${condition}`);
    }
    return value;
  };
  const and = (): boolean => {
    let v = primary();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      v = and() || v;
    }
    return v;
  };
  const result = or();
  if (i !== tokens.length)
    throw new UnsupportedConditionError(`cannot read condition: ${condition}`);
  return result;
}

/** Conditions of an agent the stand-in cannot evaluate (to warn about when it loads). */
export function unsupportedConditions(conditions: string[]): string[] {
  const scope: ConditionScope = { state: {}, page: undefined, formComplete: false };
  return conditions.filter((c) => {
    try {
      evaluateCondition(c, scope);
      return false;
    } catch (err) {
      return err instanceof UnsupportedConditionError;
    }
  });
}
