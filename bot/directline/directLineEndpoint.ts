import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import { DirectLineConversationStore, type ActivitySet } from './directLineConversationStore';
import { DirectLineTokenIssuer, type DirectLineTokenClaims } from './directLineTokenIssuer';
import { ConversationRateLimiter } from './conversationRateLimiter';
import type { AppConfig } from '../config';

/** Where the endpoint lives; the connector routes (the bot's serviceUrl) sit under it. */
export const DIRECT_LINE_BASE = '/v3/directline';
const CONNECTOR_BASE = `${DIRECT_LINE_BASE}/connector`;
const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;

export interface DirectLineEndpointOptions {
  server: Server;
  adapter: CloudAdapter;
  runTurn: (context: TurnContext) => Promise<void>;
  logger: Logger;
  /** Counts requests in flight so shutdown waits for turns started here. */
  inFlight: { enter(): void; leave(): void };
  /** The Direct Line secret ('' = secret-authorised routes refuse; /chat still mints tokens). */
  secret: string;
  tokens: DirectLineTokenIssuer;
  messagesPerMinute: number;
  keepAliveMs: number;
  historyLimit: number;
  /**
   * False when a MicrosoftAppId is configured: the adapter would then want Azure AD tokens on
   * every call to and from our connector, which an on-premises Direct Line cannot give. The
   * routes then answer 503 and clients use Azure Bot Service's Direct Line instead.
   */
  enabled: boolean;
  /** The interface the server listens on, to build a serviceUrl the process can reach itself on. */
  listenHost: string;
  bot: { id: string; name: string };
}

type Auth = { kind: 'secret' } | ({ kind: 'token' } & DirectLineTokenClaims);

/**
 * Rapport's own Direct Line 3.0 service: the REST routes and WebSocket stream that
 * `botframework-directlinejs` (and so Web Chat) speaks, and the Bot Connector routes the
 * adapter replies to. Client activities run through the same adapter pipeline as
 * /api/messages (middleware, transcript, lock, state); the bot's replies, typing and
 * proactive messages come back through the connector routes into the conversation's history.
 */
export class DirectLineEndpoint {
  readonly store: DirectLineConversationStore;
  private readonly limiter: ConversationRateLimiter;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sweeper: NodeJS.Timeout;
  /** Part of the serviceUrl, known only to this process: the connector routes take no token. */
  private readonly connectorKey = newId();
  private turnsRunning = 0;
  private drained: Array<() => void> = [];
  private closing = false;

  constructor(private readonly options: DirectLineEndpointOptions) {
    if (!options?.server || !options.adapter || !options.runTurn || !options.tokens || !options.logger) {
      throw new Error('DirectLineEndpoint needs server, adapter, runTurn, tokens and logger');
    }
    // Conversations outlive a token by a grace period so a client that refreshes late still finds its history.
    this.store = new DirectLineConversationStore(options.historyLimit, options.tokens.ttlSeconds * 2000);
    this.limiter = new ConversationRateLimiter(options.messagesPerMinute);
    this.sweeper = setInterval(() => { this.store.evictIdle(); this.limiter.prune(); }, 60_000).unref();
    this.routes();
    options.server.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
  }

  /**
   * The endpoint as configured. The token key is DIRECTLINE_TOKEN_SECRET, else derived from
   * DIRECTLINE_SECRET (so every process with the same secret verifies the same tokens), else
   * random per process (tokens then end with the process, which only costs a page reload).
   */
  static fromConfig(config: AppConfig, deps: Pick<DirectLineEndpointOptions, 'server' | 'adapter' | 'runTurn' | 'logger' | 'inFlight'>): DirectLineEndpoint {
    const key = config.DIRECTLINE_TOKEN_SECRET
      || (config.DIRECTLINE_SECRET ? crypto.createHmac('sha256', config.DIRECTLINE_SECRET).update('rapport-directline-token-key').digest() : crypto.randomBytes(32));
    return new DirectLineEndpoint({
      ...deps,
      secret: config.DIRECTLINE_SECRET,
      tokens: new DirectLineTokenIssuer(key, config.DIRECTLINE_TOKEN_TTL_SECONDS),
      messagesPerMinute: config.DIRECTLINE_MESSAGES_PER_MINUTE,
      keepAliveMs: config.DIRECTLINE_KEEPALIVE_MS,
      historyLimit: config.DIRECTLINE_HISTORY_LIMIT,
      enabled: !config.MicrosoftAppId,
      listenHost: config.HOST,
      bot: { id: 'rapport', name: 'Rapport' },
    });
  }

  /** A token for a new conversation, for the server's own Web Chat page (the secret stays here). */
  issueForNewConversation(): { conversationId: string; token: string; expires_in: number } {
    const conversationId = newId();
    const { token, expiresIn } = this.options.tokens.issue(conversationId, `dl_${newId()}`);
    return { conversationId, token, expires_in: expiresIn };
  }

  /**
   * Refuses new activities, waits (up to timeoutMs) for the turns already running, then closes
   * every stream. Called before the HTTP server closes: those turns reply over HTTP to this
   * server's own connector routes, so it must still be listening while they finish.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    if (this.turnsRunning > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs).unref();
        this.drained.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    for (const socket of this.sockets.values()) socket.close(1001, 'server shutting down');
    this.sockets.clear();
    this.wss.close();
  }

  private routes(): void {
    const { server } = this.options;
    const b = DIRECT_LINE_BASE;
    server.post(`${b}/tokens/generate`, this.handler(async (req, res) => {
      if (this.authorize(req)?.kind !== 'secret') return fail(res, 403, 'Forbidden', 'a valid Direct Line secret is required');
      const conversationId = newId();
      const userId = this.userIdFrom(req.body) ?? `dl_${newId()}`;
      const { token, expiresIn } = this.options.tokens.issue(conversationId, userId);
      res.json({ conversationId, token, expires_in: expiresIn });
    }));

    server.post(`${b}/tokens/refresh`, this.handler(async (req, res) => {
      const auth = this.authorize(req);
      if (auth?.kind !== 'token') return fail(res, 403, 'Forbidden', 'a valid, unexpired token is required');
      const { token, expiresIn } = this.options.tokens.issue(auth.conversationId, auth.userId);
      res.json({ conversationId: auth.conversationId, token, expires_in: expiresIn });
    }));

    server.post(`${b}/conversations`, this.handler(async (req, res) => {
      const auth = this.authorize(req);
      if (!auth) return fail(res, 403, 'Forbidden', 'a valid Direct Line secret or token is required');
      const body = (req.body ?? {}) as Record<string, any>;
      const conversationId = auth.kind === 'token' ? auth.conversationId : newId();
      const userId = auth.kind === 'token' ? auth.userId : (this.userIdFrom(body) ?? `dl_${newId()}`);
      const locale = typeof body.locale === 'string' ? body.locale.slice(0, 20) : undefined;
      // A token names its conversation but does not allocate it: memory is used only once a client connects.
      const conversation = this.store.get(conversationId) ?? this.store.create(conversationId, userId, locale);
      if (!conversation.started) {
        conversation.started = true;
        await this.runInbound(conversationId, {
          type: 'conversationUpdate',
          membersAdded: [{ id: this.options.bot.id, name: this.options.bot.name }, { id: userId }],
        }, false);
      }
      res.status(201);
      res.json(this.connection(req, conversationId, userId, undefined));
    }));

    server.get(`${b}/conversations/:conversationId`, this.handler(async (req, res) => {
      const auth = this.conversationAuth(req, res);
      if (!auth) return;
      const conversation = this.store.get(auth.conversationId)!;
      res.json(this.connection(req, conversation.id, conversation.userId, stringQuery(req, 'watermark')));
    }));

    server.post(`${b}/conversations/:conversationId/activities`, this.handler(async (req, res) => {
      const auth = this.conversationAuth(req, res);
      if (!auth) return;
      const body = req.body as Record<string, any> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.type !== 'string' || !body.type) {
        return fail(res, 400, 'BadArgument', 'the body must be an activity with a "type"');
      }
      const wait = this.limiter.take(auth.conversationId);
      if (wait > 0) {
        res.header('Retry-After', String(wait));
        return fail(res, 429, 'TooManyRequests', `too many messages in this conversation; retry after ${wait} s`);
      }
      const stored = await this.runInbound(auth.conversationId, body, true);
      res.json({ id: stored?.id });
    }));

    server.get(`${b}/conversations/:conversationId/activities`, this.handler(async (req, res) => {
      const auth = this.conversationAuth(req, res);
      if (!auth) return;
      res.json(this.store.since(auth.conversationId, stringQuery(req, 'watermark')));
    }));

    // Bot Connector routes: the adapter posts replies and proactive messages to serviceUrl + these.
    const connectorPost = this.handler(async (req, res) => {
      if (!fromThisMachine(req) || !safeEqual(String(req.params.key), this.connectorKey)) {
        return fail(res, 403, 'Forbidden', 'the connector accepts calls from the bot process only');
      }
      const conversationId = decodeURIComponent(String(req.params.conversationId));
      if (!this.store.get(conversationId)) return fail(res, 404, 'NotFound', 'no such conversation');
      const activity = req.body as Partial<Activity> | undefined;
      if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') return fail(res, 400, 'BadArgument', 'the body must be an activity');
      const { serviceUrl: _serviceUrl, ...fromBot } = activity;
      const stored = this.store.append(conversationId, {
        ...fromBot,
        conversation: { ...(activity.conversation as any), id: conversationId },
        from: { ...(activity.from as any), id: activity.from?.id || this.options.bot.id, role: 'bot' },
        channelId: 'directline',
        replyToId: req.params.activityId ? decodeURIComponent(String(req.params.activityId)) : activity.replyToId,
        timestamp: new Date(),
      });
      res.json({ id: stored?.id });
    });
    server.post(`${CONNECTOR_BASE}/:key/v3/conversations/:conversationId/activities`, connectorPost);
    server.post(`${CONNECTOR_BASE}/:key/v3/conversations/:conversationId/activities/:activityId`, connectorPost);
  }

  /**
   * Stores the client's activity (the echo Web Chat waits for, matched on
   * channelData.clientActivityID) and runs the turn through the adapter, awaiting it as
   * Azure's Direct Line awaits the bot, so replies are in the history before POST answers.
   */
  private async runInbound(conversationId: string, body: Record<string, any>, echo: boolean): Promise<Partial<Activity> | undefined> {
    const conversation = this.store.get(conversationId)!;
    const { deliveryMode: _ignored, serviceUrl: _s, channelId: _c, conversation: _conv, recipient: _r, ...fromClient } = body;
    const activity: Partial<Activity> = {
      ...fromClient,
      channelId: 'directline',
      serviceUrl: this.serviceUrl(),
      conversation: { id: conversationId } as Activity['conversation'],
      // The token's user, whatever the client claims: nobody speaks as someone else.
      from: { ...(typeof body.from === 'object' ? body.from : {}), id: conversation.userId, role: 'user' },
      recipient: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
      locale: typeof body.locale === 'string' ? body.locale : conversation.locale,
      timestamp: new Date(),
    };
    // Clients never see the serviceUrl: it holds the connector key.
    const { serviceUrl, ...forClients } = activity;
    const stored = echo ? this.store.append(conversationId, forClients) : { ...forClients, id: `${conversationId}|update-${newId()}` };
    this.options.inFlight.enter();
    this.turnsRunning += 1;
    try {
      await this.options.adapter.processActivityDirect('', { ...stored, serviceUrl } as Activity, (context) => this.options.runTurn(context));
    } catch (error) {
      this.options.logger.error({ err: { message: (error as Error)?.message?.split('\n')[0] }, conversationId }, 'direct line turn failed');
    } finally {
      this.options.inFlight.leave();
      this.turnsRunning -= 1;
      if (this.turnsRunning === 0) for (const done of this.drained.splice(0)) done();
    }
    return stored;
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) {
      if (this.options.server.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    const refuse = (status: string) => { socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
    if (!this.options.enabled) return refuse('503 Service Unavailable');
    const header = req.headers.authorization;
    const claims = this.options.tokens.verify(url.searchParams.get('t') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined));
    const conversationId = decodeURIComponent(match[1]);
    if (!claims || claims.conversationId !== conversationId) return refuse('403 Forbidden');
    if (!this.store.get(conversationId)) return refuse('404 Not Found');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws, conversationId, url.searchParams.get('watermark') ?? undefined));
  }

  /** One socket per conversation: a new one replaces the old (a reconnecting tab). */
  private stream(ws: WebSocket, conversationId: string, watermark: string | undefined): void {
    this.sockets.get(conversationId)?.close(1000, 'replaced by a newer stream');
    this.sockets.set(conversationId, ws);
    const send = (set: ActivitySet) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(set)); };
    // Subscribe before reading the backlog: nothing appended in between can fall into a gap.
    const pending: ActivitySet[] = [];
    let live = false;
    const unsubscribe = this.store.subscribe(conversationId, (set) => (live ? send(set) : pending.push(set)));
    const backlog = this.store.since(conversationId, watermark);
    if (backlog && backlog.activities.length > 0) send(backlog);
    const sentUpTo = Number(backlog?.watermark ?? 0);
    for (const set of pending) if (Number(set.watermark) > sentUpTo) send(set);
    live = true;
    // Empty messages keep proxies from closing an idle socket, as Azure's Direct Line does.
    const keepAlive = setInterval(() => { if (ws.readyState === ws.OPEN) ws.send(''); }, this.options.keepAliveMs).unref();
    ws.on('message', () => undefined); // the client's own keep-alives; activities come over REST
    ws.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      if (this.sockets.get(conversationId) === ws) this.sockets.delete(conversationId);
    });
    ws.on('error', () => ws.terminate());
  }

  /** The reply to POST/GET /conversations: where to stream, with a fresh token. */
  private connection(req: Request, conversationId: string, userId: string, watermark: string | undefined) {
    const { token, expiresIn } = this.options.tokens.issue(conversationId, userId);
    const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https' || Boolean((req.socket as any)?.encrypted);
    const host = req.headers['x-forwarded-host'] ?? req.headers.host;
    const query = new URLSearchParams({ watermark: watermark ?? '', t: token });
    return {
      conversationId, token, expires_in: expiresIn,
      streamUrl: `${secure ? 'wss' : 'ws'}://${host}${DIRECT_LINE_BASE}/conversations/${encodeURIComponent(conversationId)}/stream?${query}`,
      referenceGrammarId: '',
    };
  }

  /** The serviceUrl the bot replies to: this process, on an address it can reach itself. */
  private serviceUrl(): string {
    const address = this.options.server.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const host = ['', '0.0.0.0', '::'].includes(this.options.listenHost) ? '127.0.0.1' : this.options.listenHost;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}${CONNECTOR_BASE}/${this.connectorKey}`;
  }

  private authorize(req: Request): Auth | undefined {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    const credential = header.slice(7).trim();
    if (this.options.secret && safeEqual(credential, this.options.secret)) return { kind: 'secret' };
    const claims = this.options.tokens.verify(credential);
    return claims ? { kind: 'token', ...claims } : undefined;
  }

  /** A token of this conversation (or the secret), and a conversation that exists; else answers 403/404. */
  private conversationAuth(req: Request, res: Response): { conversationId: string } | undefined {
    const auth = this.authorize(req);
    const conversationId = decodeURIComponent(String(req.params.conversationId));
    if (!auth || (auth.kind === 'token' && auth.conversationId !== conversationId)) {
      fail(res, 403, 'Forbidden', 'the token is not valid for this conversation');
      return undefined;
    }
    if (!this.store.get(conversationId)) {
      fail(res, 404, 'NotFound', 'no such conversation (it ended or the server restarted)');
      return undefined;
    }
    return { conversationId };
  }

  private userIdFrom(body: unknown): string | undefined {
    const id = (body as any)?.user?.id;
    return typeof id === 'string' && id.trim() ? id.trim().slice(0, 128) : undefined;
  }

  private handler(fn: (req: Request, res: Response) => Promise<void>) {
    return async (req: Request, res: Response) => {
      if (this.closing && !req.path().startsWith(CONNECTOR_BASE)) {
        res.header('Retry-After', '5');
        return fail(res, 503, 'ServiceUnavailable', 'the server is shutting down; reconnect shortly');
      }
      if (!this.options.enabled) return fail(res, 503, 'ServiceUnavailable', 'the built-in Direct Line runs only without a MicrosoftAppId; use Azure Bot Service Direct Line');
      try {
        await fn(req, res);
      } catch (error) {
        this.options.logger.error({ err: { message: (error as Error)?.message } }, 'direct line request failed');
        fail(res, 500, 'InternalError', 'internal error');
      }
    };
  }
}

function fail(res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.status(status);
  res.json({ error: { code, message } });
}

function stringQuery(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function newId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * The connector routes take no token (without a MicrosoftAppId the adapter sends none), so
 * they accept only direct connections from this machine: the bot process calling its own
 * serviceUrl. A request a local reverse proxy forwards (X-Forwarded-For) is not one.
 */
function fromThisMachine(req: Request): boolean {
  if (req.headers['x-forwarded-for'] || req.headers.forwarded) return false;
  const remote = req.socket?.remoteAddress ?? '';
  return remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1' || remote === req.socket?.localAddress;
}
