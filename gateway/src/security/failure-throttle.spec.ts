import { FailureThrottle } from './failure-throttle';

describe('FailureThrottle', () => {
  let t = 0;
  const throttle = () => new FailureThrottle({ max: 3, windowMs: 60_000, maxClients: 2 }, () => t);
  beforeEach(() => (t = 1_000_000));

  it('blocks a client after max failures until its window ends', () => {
    const th = throttle();
    for (let i = 0; i < 2; i++) th.fail('a');
    expect(th.retryAfterSeconds('a')).toBe(0);
    th.fail('a');
    expect(th.retryAfterSeconds('a')).toBe(60);
    t += 30_000;
    expect(th.retryAfterSeconds('a')).toBe(30);
    t += 30_000;
    expect(th.retryAfterSeconds('a')).toBe(0);
  });

  it('counts clients apart and forgets a client that signs in', () => {
    const th = throttle();
    for (let i = 0; i < 3; i++) th.fail('a');
    expect(th.retryAfterSeconds('b')).toBe(0);
    th.succeed('a');
    expect(th.retryAfterSeconds('a')).toBe(0);
  });

  it('tracks at most maxClients, dropping the oldest', () => {
    const th = throttle();
    for (const c of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) th.fail(c);
    expect(th.retryAfterSeconds('a')).toBe(0);
    expect(th.retryAfterSeconds('b')).toBe(60);
    expect(th.retryAfterSeconds('c')).toBe(60);
  });
});
