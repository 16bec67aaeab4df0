import { describe, expect, it } from 'vitest';
import { createParamReader } from '../src/conversation';

describe('parameter readers', () => {
  const read = (value: unknown) => createParamReader({ p: value });

  it.each([
    [1001, '1001'],
    [1001.0, '1001'],
    ['1001', '1001'],
    [' A-17_x ', 'A-17_x'],
    [['1002', '1003'], '1002'],
    ['', undefined],
    [null, undefined],
    [{ id: 1 }, undefined],
    ['orders/1001', undefined],
    ['../products/x', undefined],
    ['x'.repeat(65), undefined],
    ['x'.repeat(2000), undefined],
    [1.5, undefined],
    [true, undefined],
  ])('id(%o) → %o', (value, expected) => {
    expect(read(value).id('p')).toBe(expected);
  });

  it.each([
    ['2026-12-24T12:00:00+08:00', '2026-12-24'],
    ['2026-12-24', '2026-12-24'],
    [{ year: 2026, month: 12, day: 24 }, '2026-12-24'],
    [{ year: 2026.0, month: 2, day: 30 }, undefined],
    ['2026-13-01', undefined],
    ['Christmas', undefined],
    [{ date_time: '2026-12-24T19:00:00+08:00' }, '2026-12-24'],
    [['2026-12-25', '2026-12-26'], '2026-12-25'],
    [42, undefined],
  ])('date(%o) → %o', (value, expected) => {
    expect(read(value).date('p')).toBe(expected);
  });

  it.each([
    ['2026-11-26T19:00:00+08:00', '19:00'],
    ['19:00', '19:00'],
    ['7:05', '07:05'],
    ['19:00:00', '19:00'],
    [{ hours: 19, minutes: 30, seconds: 0, nanos: 0 }, '19:30'],
    [{ hours: 19 }, '19:00'],
    [{ hours: 25, minutes: 0 }, undefined],
    ['seven', undefined],
  ])('time(%o) → %o', (value, expected) => {
    expect(read(value).time('p')).toBe(expected);
  });

  it.each([
    [{ name: 'Lin' }, 'Lin'],
    ['Lin', 'Lin'],
    [{ name: '' }, undefined],
    [[{ name: 'Chen' }], 'Chen'],
    [5, '5'],
  ])('person(%o) → %o', (value, expected) => {
    expect(read(value).person('p')).toBe(expected);
  });

  it.each([
    [4, 4],
    ['4', 4],
    [4.0, 4],
    [0, undefined],
    [-2, undefined],
    [2.5, undefined],
    [5000, undefined],
    ['four', undefined],
  ])('count(%o) → %o', (value, expected) => {
    expect(read(value).count('p', 1000)).toBe(expected);
  });

  it('treats a missing parameter as missing', () => {
    expect(createParamReader({}).string('nope')).toBeUndefined();
    expect(
      createParamReader({ toString: 'x' } as Record<string, unknown>).string('hasOwnProperty'),
    ).toBeUndefined();
  });
});
