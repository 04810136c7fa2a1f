import restify, { type Request, type Response, type Server } from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Logger } from './logger';
import { AppError } from '../services/appError';

/** A readiness check: resolves true when the dependency answers. */
export type ReadinessCheck = () => Promise<boolean>;

export interface BotServerDependencies {
  adapter: CloudAdapter;
  runTurn: (context: TurnContext) => Promise<void>;
  logger: Logger;
  maxBodyBytes: number;
  /** True when Bot Framework authentication is on (an app id is configured). */
  authenticationEnabled: boolean;
  /** name → check; /readyz is 503 naming every check that fails. */
  readiness: Record<string, ReadinessCheck>;
}

/** Tracks requests in flight so shutdown can wait for them. */
class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];
  enter(): void { this.count += 1; }
  leave(): void {
    this.count -= 1;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => { clearTimeout(timer); resolve(true); });
    });
  }
  get size(): number { return this.count; }
}

/** Sends a JSON error body; never a stack trace. */
function sendError(res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.status(status);
  res.json({ code, message });
}

/** The minimal shape an activity needs before the adapter sees it. */
function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object (a Bot Framework activity)';
  const activity = body as Record<string, any>;
  if (typeof activity.type !== 'string' || !activity.type) return 'the activity has no "type"';
  if (!activity.conversation || typeof activity.conversation.id !== 'string' || !activity.conversation.id) return 'the activity has no "conversation.id"';
  return undefined;
}

/**
 * The restify server: Bot Framework messages, health and readiness. Client mistakes get a
 * 4xx JSON body; nothing a client sends produces a 500 or a stack trace.
 */
export function createBotServer(deps: BotServerDependencies): { server: Server; inFlight: InFlight } {
  const server = restify.createServer({ name: 'rapport', handleUncaughtExceptions: false });
  const inFlight = new InFlight();
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes, mapParams: false, mapFiles: false }));

  server.post('/api/messages', async (req: Request, res: Response) => {
    const problem = activityProblem(req.body);
    if (problem) return sendError(res, 400, 'BadRequest', problem);
    inFlight.enter();
    let turnStarted = false;
    if (deps.authenticationEnabled) {
      // CloudAdapter answers 500 when token validation fails for a reason other than a bad
      // token (e.g. the signing keys can't be fetched). A request whose turn never started
      // was not authenticated: it gets 401 and never reaches bot code.
      const status = res.status.bind(res);
      res.status = ((code: number) => status(!turnStarted && code >= 500 ? 401 : code)) as typeof res.status;
      const sendBody = res.send.bind(res);
      res.send = ((...args: any[]) => (!turnStarted && res.statusCode === 401
        ? sendBody({ code: 'Unauthorized', message: 'a valid Bot Framework token is required' })
        : sendBody(...args))) as typeof res.send;
    }
    try {
      await deps.adapter.process(req, res, (context) => { turnStarted = true; return deps.runTurn(context); });
    } catch (error) {
      const status = error instanceof AppError ? error.status : 500;
      deps.logger.error({ err: { message: (error as Error)?.message } }, 'request failed');
      sendError(res, status, status === 500 ? 'InternalError' : (error as AppError).code, status === 500 ? 'internal error' : (error as Error).message);
    } finally {
      inFlight.leave();
    }
  });

  server.get('/healthz', async (_req: Request, res: Response) => { res.json({ status: 'ok' }); });

  server.get('/readyz', async (_req: Request, res: Response) => {
    const names = Object.keys(deps.readiness);
    const results = await Promise.all(names.map((name) => deps.readiness[name]().catch(() => false)));
    const down = names.filter((_n, i) => !results[i]);
    res.status(down.length ? 503 : 200);
    res.json({ status: down.length ? 'not_ready' : 'ready', down, checks: Object.fromEntries(names.map((n, i) => [n, results[i] ? 'up' : 'down'])) });
  });

  // restify formats its own errors (400 bad JSON, 404, 405, 413) as JSON { code, message }.
  server.on('restifyError', (req: Request, res: Response, err: any, callback: () => void) => {
    if (!err.statusCode || err.statusCode >= 500) {
      deps.logger.error({ err: { message: err?.message }, path: req.path?.() }, 'server error');
      err.toJSON = () => ({ code: 'InternalError', message: 'internal error' });
    } else {
      const body = { code: err.body?.code ?? err.name, message: err.body?.message ?? err.message };
      err.toJSON = () => body;
    }
    callback();
  });
  return { server, inFlight };
}
