/**
 * A plain Direct Line 3.0 client over real HTTP and WebSocket for the endpoint tests, and the
 * transports `botframework-directlinejs` needs in Node (it was written for browsers).
 */
import WebSocket from 'ws';
import { Observable } from 'rxjs/Observable';

export const SECRET = 'test-directline-secret-0123456789';
export const TOKEN_KEY = 'test-directline-token-key-0123456789';

export interface Conversation { conversationId: string; token: string; streamUrl: string; expires_in: number }

export async function call(baseUrl: string, method: string, path: string, credential?: string, body?: unknown) {
  const res = await fetch(`${baseUrl}/v3/directline${path}`, {
    method,
    headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** tokens/generate with the secret, then POST /conversations with the token. */
export async function startConversation(baseUrl: string, userId?: string): Promise<Conversation> {
  const generated = await call(baseUrl, 'POST', '/tokens/generate', SECRET, userId ? { user: { id: userId } } : {});
  if (generated.status !== 200) throw new Error(`tokens/generate ${generated.status}`);
  const started = await call(baseUrl, 'POST', '/conversations', generated.body.token, { locale: 'zh-CN' });
  if (started.status !== 201) throw new Error(`conversations ${started.status}`);
  return started.body;
}

export function postMessage(baseUrl: string, conversation: Conversation, text: string, extra: Record<string, unknown> = {}) {
  return call(baseUrl, 'POST', `/conversations/${conversation.conversationId}/activities`, conversation.token, {
    type: 'message', text, locale: 'zh-CN', from: { id: 'whoever' }, ...extra,
  });
}

/** An open stream that records every activity set and every keep-alive it receives. */
export class Stream {
  readonly activities: any[] = [];
  readonly watermarks: string[] = [];
  keepAlives = 0;
  private waiters: Array<() => void> = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      if (!text) { this.keepAlives += 1; return; }
      const set = JSON.parse(text);
      this.activities.push(...set.activities);
      if (set.watermark) this.watermarks.push(set.watermark);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(streamUrl: string): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(streamUrl);
      socket.once('open', () => resolve(new Stream(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Resolves with the first activity matching, waiting up to timeoutMs. */
  async waitFor(predicate: (activity: any) => boolean, timeoutMs = 10000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.activities.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching activity on the stream; got ${JSON.stringify(this.activities.map((a) => a.text ?? a.type))}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 200); });
    }
  }

  get lastWatermark(): string { return this.watermarks[this.watermarks.length - 1] ?? ''; }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/**
 * `botframework-directlinejs` does its HTTP through RxJS's ajax (XMLHttpRequest, absent in
 * Node); its `ajax` option takes a replacement. This one uses fetch and fails like RxJS's
 * AjaxError (status, xhr.getResponseHeader) so the client's retry and 403/404 handling work.
 */
export function fetchAjax(request: { method?: string; url: string; body?: unknown; headers?: Record<string, string> }): Observable<any> {
  return Observable.create((subscriber: any) => {
    const body = request.body === undefined || typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: body as string | undefined })
      .then(async (res) => {
        const text = await res.text();
        const response = text ? JSON.parse(text) : null;
        if (res.ok) {
          subscriber.next({ status: res.status, response });
          subscriber.complete();
        } else {
          subscriber.error({ status: res.status, response, xhr: { getResponseHeader: (name: string) => res.headers.get(name) } });
        }
      })
      .catch((error) => subscriber.error(error));
  });
}
