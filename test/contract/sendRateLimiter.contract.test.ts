/**
 * The campaign send rate limiter, in one process (token bucket) and across processes (Redis
 * counter per window): at most `rate` sends start per second, and no limit when the rate is 0.
 */
import Redis from 'ioredis';
import { InProcessSendRateLimiter, RedisSendRateLimiter, type SendRateLimiter } from '../../services/campaigns/sendRateLimiter';
import { redisUrl, uniquePrefix } from '../support/services';

const clients: Redis[] = [];
afterAll(async () => { await Promise.all(clients.map((c) => c.quit())); });

function redisLimiter(): SendRateLimiter {
  const redis = new Redis(redisUrl());
  clients.push(redis);
  return new RedisSendRateLimiter(redis, uniquePrefix('rate'));
}

describe.each([
  ['in-process', () => new InProcessSendRateLimiter()],
  ['Redis', redisLimiter],
])('Send rate limiter (%s)', (_name, make: () => SendRateLimiter) => {
  test('When 25 sends ask at 10 per second, then they take more than a second and no wall-clock second holds more than 11', async () => {
    const limiter = make();
    const started = Date.now();
    const at: number[] = [];
    await Promise.all(Array.from({ length: 25 }, async () => { await limiter.acquire('c1', 10); at.push(Date.now()); }));
    const elapsed = Date.now() - started;
    // 25 at 10/s need three one-second windows (Redis) or 2.4 s of refill (token bucket, starting with one token).
    expect(elapsed).toBeGreaterThan(1000);
    expect(elapsed).toBeLessThan(6000);
    expect(Math.max(...perSecond(at).values())).toBeLessThanOrEqual(11);
  });

  test('When the rate is 0, then sends are not limited', async () => {
    const limiter = make();
    const started = Date.now();
    await Promise.all(Array.from({ length: 500 }, () => limiter.acquire('c2', 0)));
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('When two campaigns send, then each has its own rate', async () => {
    const limiter = make();
    const started = Date.now();
    await Promise.all([...Array.from({ length: 10 }, () => limiter.acquire('a', 10)), ...Array.from({ length: 10 }, () => limiter.acquire('b', 10))]);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

test('When two Redis limiters (two processes) share a campaign at 10 per second, then together they stay within it', async () => {
  const prefix = uniquePrefix('rate-shared');
  const make = () => { const r = new Redis(redisUrl()); clients.push(r); return new RedisSendRateLimiter(r, prefix); };
  const [a, b] = [make(), make()];
  const started = Date.now();
  const at: number[] = [];
  const send = async (limiter: SendRateLimiter) => { await limiter.acquire('shared', 10); at.push(Date.now()); };
  await Promise.all([...Array.from({ length: 15 }, () => send(a)), ...Array.from({ length: 15 }, () => send(b))]);
  expect(Date.now() - started).toBeGreaterThan(1000);
  expect(Math.max(...perSecond(at).values())).toBeLessThanOrEqual(10);
});

/** Starts per wall-clock second. */
function perSecond(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}
