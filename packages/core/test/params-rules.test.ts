import { describe, expect, it } from 'vitest';
import { createParamReader, MAX_PARAMETER_BYTES } from '../src/conversation';

/*
 * Every rule of the parameter readers at its edge: the smallest and largest value each one
 * accepts, and the first one past it. params.test.ts has the shapes Dialogflow sends.
 */
const read = (value: unknown) => createParamReader({ p: value });

describe('raw', () => {
  it('is undefined for a missing, null, empty or inherited parameter', () => {
    expect(createParamReader({}).raw('p')).toBeUndefined();
    expect(read(null).raw('p')).toBeUndefined();
    expect(read(undefined).raw('p')).toBeUndefined();
    expect(read('').raw('p')).toBeUndefined();
    expect(read('x').raw('toString')).toBeUndefined();
    expect(read(0).raw('p')).toBe(0);
    expect(read(false).raw('p')).toBe(false);
    expect(read(' ').raw('p')).toBe(' ');
  });

  it(`keeps values up to ${MAX_PARAMETER_BYTES} bytes as JSON`, () => {
    expect(MAX_PARAMETER_BYTES).toBe(1024);
    expect(read('x'.repeat(1024)).raw('p')).toBe('x'.repeat(1024));
    expect(read('x'.repeat(1025)).raw('p')).toBeUndefined();
    // A string counts its UTF-8 bytes, not its characters (and not JSON's quotes).
    expect(read('字'.repeat(341)).raw('p')).toBe('字'.repeat(341));
    expect(read('字'.repeat(342)).raw('p')).toBeUndefined();
    const list = (n: number) => Array.from({ length: n }, () => 'x'.repeat(8));
    // ["xxxxxxxx",…]: 11 bytes an element, less one comma, plus the brackets.
    expect(read(list(93)).raw('p')).toEqual(list(93));
    expect(read(list(94)).raw('p')).toBeUndefined();
  });

  it('treats values JSON cannot hold as missing, and ones it skips as empty', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(read(cycle).raw('p')).toBeUndefined();
    expect(read(10n).raw('p')).toBeUndefined();
    const fn = () => 1;
    expect(read(fn).raw('p')).toBe(fn);
  });
});

describe('string', () => {
  it.each([
    ['  a b ', 'a b'],
    ['   ', undefined],
    [5, '5'],
    [-0.5, '-0.5'],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [true, undefined],
    [{ name: 'x' }, undefined],
    [['', null, ' first '], 'first'],
    [[null, ''], undefined],
  ])('string(%o) → %o', (value, expected) => {
    expect(read(value).string('p')).toBe(expected);
  });
});

describe('id', () => {
  it.each([
    [0, '0'],
    [-1, undefined],
    [2 ** 53, undefined],
    [2 ** 53 - 1, String(2 ** 53 - 1)],
    ['-x_1', '-x_1'],
    ['a'.repeat(64), 'a'.repeat(64)],
    ['a'.repeat(65), undefined],
    ['a b', undefined],
    ['é', undefined],
  ])('id(%o) → %o', (value, expected) => {
    expect(read(value).id('p')).toBe(expected);
  });
});

describe('number and count', () => {
  it.each([
    [12, 12],
    ['12', 12],
    [' -3.5 ', -3.5],
    ['\t7\n', 7],
    ['1e3', undefined],
    ['12a', undefined],
    ['a12', undefined],
    ['1.', undefined],
    ['.5', undefined],
    ['1.5.2', undefined],
    ['--1', undefined],
    ['10.25', 10.25],
    [Number.NaN, undefined],
    [Number.NEGATIVE_INFINITY, undefined],
    [true, undefined],
    [['', '8'], 8],
  ])('number(%o) → %o', (value, expected) => {
    expect(read(value).number('p')).toBe(expected);
  });

  it.each([
    [1, 1],
    [0, undefined],
    [-2, undefined],
    [1000, 1000],
    [1001, undefined],
    [2.5, undefined],
    ['3', 3],
    ['x', undefined],
  ])('count(%o) → %o', (value, expected) => {
    expect(read(value).count('p')).toBe(expected);
  });

  it('count takes its own maximum', () => {
    expect(read(8).count('p', 8)).toBe(8);
    expect(read(9).count('p', 8)).toBeUndefined();
  });
});

describe('date', () => {
  it.each([
    ['0100-01-01', '0100-01-01'],
    ['0001-01-01', '0001-01-01'],
    ['0099-12-31', '0099-12-31'],
    [{ year: 50, month: 2, day: 29 }, undefined],
    [{ year: 48, month: 2, day: 29 }, '0048-02-29'],
    ['0000-01-01', undefined],
    ['9999-12-31', '9999-12-31'],
    [{ year: 10000, month: 1, day: 1 }, undefined],
    [{ year: 9999, month: 12, day: 31 }, '9999-12-31'],
    [{ year: 100, month: 2, day: 3 }, '0100-02-03'],
    [{ year: 0, month: 1, day: 1 }, undefined],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', undefined],
    ['2026-04-31', undefined],
    ['2026-00-10', undefined],
    ['2026-12-00', undefined],
    ['2026-12-32', undefined],
    [' 2026-12-24 ', '2026-12-24'],
    ['x2026-12-24', undefined],
    ['2026-12-24x', undefined],
    ['2026-12-24T', '2026-12-24'],
    ['26-12-24', undefined],
    [{ year: '2026', month: '12', day: '24' }, '2026-12-24'],
    [{ year: 2026, month: 12 }, undefined],
    [{ year: 2026, day: 24 }, undefined],
    [{ month: 12, day: 24 }, undefined],
    [{ day: 24 }, undefined],
    [{ year: 2026, month: 1.5, day: 1 }, undefined],
    [{ year: 2026, month: 1, day: 1.5 }, undefined],
    [{ year: 2026.5, month: 1, day: 1 }, undefined],
    [{ year: 2026, month: 12, day: 'x' }, undefined],
    [{ date_time: ' 2026-01-02T10:00:00Z' }, '2026-01-02'],
    [{ date_time: 7 }, undefined],
    [{}, undefined],
  ])('date(%o) → %o', (value, expected) => {
    expect(read(value).date('p')).toBe(expected);
  });
});

describe('time', () => {
  it.each([
    ['2026-01-01T19:05:00', '19:05'],
    [' 2026-01-01T08:09 ', '08:09'],
    ['2026-01-01T24:00:00', undefined],
    ['x2026-01-01T19:05', undefined],
    [' 19:00 ', '19:00'],
    ['00:00', '00:00'],
    ['23:59', '23:59'],
    ['24:00', undefined],
    ['12:60', undefined],
    ['19:0', undefined],
    ['119:00', undefined],
    ['x19:00', undefined],
    ['19:00x', undefined],
    ['19:00:00.123', '19:00'],
    ['19:00:00.', undefined],
    ['19:00:00.x', undefined],
    ['19:00:0', undefined],
    [{ hours: 0, minutes: 0 }, '00:00'],
    [{ minutes: 30 }, '00:30'],
    [{ hours: 7 }, '07:00'],
    [{ hours: 23, minutes: 59 }, '23:59'],
    [{ hours: 24, minutes: 0 }, undefined],
    [{ hours: -1, minutes: 0 }, undefined],
    [{ hours: 1, minutes: -1 }, undefined],
    [{ hours: 1, minutes: 60 }, undefined],
    [{ hours: 23.5 }, undefined],
    [{ hours: 1, minutes: 0.5 }, undefined],
    [{ hours: 'x' }, undefined],
    [{ hours: 19, minutes: 'x' }, undefined],
    [{ hours: '9', minutes: '05' }, '09:05'],
    [{ date_time: '2026-01-01T08:15:00+08:00' }, '08:15'],
    [{ date_time: 815 }, undefined],
    [{ seconds: 5 }, undefined],
    [1900, undefined],
  ])('time(%o) → %o', (value, expected) => {
    expect(read(value).time('p')).toBe(expected);
  });
});

describe('person', () => {
  it.each([
    [{ name: ' Lin ' }, 'Lin'],
    ['Lin', 'Lin'],
    [{ name: 5 }, '5'],
    [{}, undefined],
    [[{ name: 'Ann' }, { name: 'Bo' }], 'Ann'],
  ])('person(%o) → %o', (value, expected) => {
    expect(read(value).person('p')).toBe(expected);
  });
});
