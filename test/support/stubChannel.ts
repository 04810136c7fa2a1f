/**
 * A loopback HTTP server acting as a Bot Framework channel (the connector's
 * `POST /v3/conversations/:id/activities`, and replies to an activity). It records every
 * request it receives (one to any other route is answered 404 and recorded too), and can
 * answer 429 (with Retry-After) or 403 on demand per conversation, with optional latency. Conversation references point at it when the test's
 * client messages are posted with `serviceUrl: stub.url`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedActivity {
  /** The conversation in the path (decoded); undefined for a request to no activity route. */
  conversationId: string | undefined;
  method: string;
  /** The request path, decoded (e.g. `/v3/conversations/19:x@thread.skype;messageid=1/activities/2`). */
  path: string;
  /** The activity the bot sent (type, text, attachments, locale...). */
  body: any;
  /** The HTTP status the stub answered with. */
  status: number;
  at: number;
}

/** What the stub answers next for one conversation (used once each, in order; then 200). */
export interface PlannedAnswer {
  status: number;
  /** Seconds, sent as the Retry-After header (429 only). */
  retryAfter?: number;
}

export interface StubChannel {
  url: string;
  /** Every request received, in arrival order (failed ones included, see `status`). */
  received: ReceivedActivity[];
  /** Activities answered 200 for one conversation. */
  delivered(conversationId: string): ReceivedActivity[];
  /** Number of activities answered 200 per conversation. */
  deliveredCounts(): Map<string, number>;
  /** Queues answers for a conversation's next requests (e.g. `[{ status: 429, retryAfter: 0 }]`). */
  plan(conversationId: string, answers: PlannedAnswer[]): void;
  /** Answers every request for the conversation with this status (e.g. 403) until cleared with undefined. */
  always(conversationId: string, status: number | undefined): void;
  /** Delay before answering each request. */
  setLatencyMs(ms: number): void;
  /** Stops recording bodies (the bench keeps only counts to keep the stub's memory flat). */
  countOnly(on: boolean): void;
  /** Total requests answered 200 (also in count-only mode). */
  deliveredTotal(): number;
  close(): Promise<void>;
}

const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/;

function parseBody(chunks: Buffer[]): unknown {
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return undefined; }
}

export async function startStubChannel(options: { latencyMs?: number; countOnly?: boolean } = {}): Promise<StubChannel> {
  const received: ReceivedActivity[] = [];
  const plans = new Map<string, PlannedAnswer[]>();
  const fixed = new Map<string, number>();
  const counts = new Map<string, number>();
  let latencyMs = options.latencyMs ?? 0;
  let countOnly = options.countOnly ?? false;
  let total = 0;
  let sequence = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = ACTIVITY_PATH.exec(req.url ?? '');
      const method = req.method ?? '';
      const path = decodeURIComponent(req.url ?? '');
      const answer = () => {
        if (method !== 'POST' || !match) {
          received.push({ conversationId: match ? decodeURIComponent(match[1]) : undefined, method, path, body: parseBody(chunks), status: 404, at: Date.now() });
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'NotFound', message: 'no such route' } }));
          return;
        }
        const conversationId = decodeURIComponent(match[1]);
        const planned = plans.get(conversationId)?.shift();
        const status = planned?.status ?? fixed.get(conversationId) ?? 200;
        if (status === 200) {
          total += 1;
          counts.set(conversationId, (counts.get(conversationId) ?? 0) + 1);
        }
        if (!countOnly || status !== 200) received.push({ conversationId, method, path, body: parseBody(chunks), status, at: Date.now() });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (status === 429) headers['retry-after'] = String(planned?.retryAfter ?? 0);
        res.writeHead(status, headers);
        sequence += 1;
        res.end(JSON.stringify(status === 200 ? { id: `stub-${sequence}` } : { error: { code: status === 429 ? 'Throttled' : 'Forbidden', message: `stub answered ${status}` } }));
      };
      if (latencyMs > 0) setTimeout(answer, latencyMs); else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    received,
    delivered: (conversationId) => received.filter((r) => r.conversationId === conversationId && r.status === 200),
    deliveredCounts: () => new Map(counts),
    plan: (conversationId, answers) => plans.set(conversationId, [...(plans.get(conversationId) ?? []), ...answers]),
    always: (conversationId, status) => { if (status === undefined) fixed.delete(conversationId); else fixed.set(conversationId, status); },
    setLatencyMs: (ms) => { latencyMs = ms; },
    countOnly: (on) => { countOnly = on; },
    deliveredTotal: () => total,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
