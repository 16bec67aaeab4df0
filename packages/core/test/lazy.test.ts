import { describe, expect, it } from 'vitest';
import { lazyAsync } from '../src/lazy';

describe('lazyAsync', () => {
  it('creates on first use only, and shares the value', async () => {
    let created = 0;
    const get = lazyAsync(async () => ({ n: ++created }));
    expect(created).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(created).toBe(1);
  });

  it('forgets a failed creation so the next call tries again', async () => {
    let calls = 0;
    const get = lazyAsync(async () => {
      calls++;
      if (calls === 1) throw new Error('import failed');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('import failed');
    expect(await get()).toBe('ok');
    expect(await get()).toBe('ok');
    expect(calls).toBe(2);
  });
});
