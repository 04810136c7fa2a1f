/**
 * The campaign send rate limiter, in one process (token bucket) and across processes (Redis
 * counter per window): at most `rate` sends start per second, and no limit when the rate is 0.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Redis from 'ioredis';
import { InProcessSendRateLimiter, RedisSendRateLimiter, type SendRateLimiter } from '../../services/campaigns/sendRateLimiter';
import { redisUrl, uniquePrefix } from '../support/services';

const clients: Redis[] = [];
afterAll(async () => { await Promise.all(clients.map((c) => c.quit())); });

/**
 * The limiter's clock, recording per acquire call the instant each permit was decided at (the
 * last clock reading of that call). Counting sends by those instants tests the limiter itself:
 * counting by when `acquire` returned would also count the event loop's lag on a busy machine,
 * which bunched 20 sends into one observed second in a CI run while the limiter kept its windows.
 */
const readings = new AsyncLocalStorage<number[]>();
const recordingClock = (): number => {
  const t = Date.now();
  readings.getStore()?.push(t);
  return t;
};

/** Acquires a permit and returns the instant it was granted at. */
async function grantedAt(limiter: SendRateLimiter, campaignId: string, rate: number): Promise<number> {
  const mine: number[] = [];
  await readings.run(mine, () => limiter.acquire(campaignId, rate));
  expect(mine.length).toBeGreaterThan(0);
  return mine[mine.length - 1];
}

function redisLimiter(prefix = uniquePrefix('rate')): SendRateLimiter {
  const redis = new Redis(redisUrl());
  clients.push(redis);
  return new RedisSendRateLimiter(redis, prefix, recordingClock);
}

describe.each([
  ['in-process', () => new InProcessSendRateLimiter(recordingClock)],
  ['Redis', () => redisLimiter()],
])('Send rate limiter (%s)', (_name, make: () => SendRateLimiter) => {
  test('When 25 sends ask at 10 per second, then they take more than a second and no wall-clock second holds more than 11', async () => {
    const limiter = make();
    const started = Date.now();
    const at = await Promise.all(Array.from({ length: 25 }, () => grantedAt(limiter, 'c1', 10)));
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
  const [a, b] = [redisLimiter(prefix), redisLimiter(prefix)];
  const started = Date.now();
  const at = await Promise.all([...Array.from({ length: 15 }, () => grantedAt(a, 'shared', 10)), ...Array.from({ length: 15 }, () => grantedAt(b, 'shared', 10))]);
  expect(Date.now() - started).toBeGreaterThan(1000);
  expect(Math.max(...perSecond(at).values())).toBeLessThanOrEqual(10);
});

/** Permits per wall-clock second. */
function perSecond(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}
