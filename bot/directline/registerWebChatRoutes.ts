import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { AppConfig } from '../config';
import type { DirectLineEndpoint } from './directLineEndpoint';

/** The page's static files (console-free HTML/JS/JSON, no build step). */
const WEBCHAT_DIR = path.resolve(__dirname, '../../webchat');

/**
 * Web Chat's UMD bundle from the botframework-webchat package. Resolved through the package's
 * CommonJS entry (lib/index.js) because its exports map hides dist/; served from here rather
 * than a CDN so a bank's network needs no outside access.
 */
function webChatBundlePath(): string {
  const entry = require.resolve('botframework-webchat');
  return path.resolve(path.dirname(entry), '../dist/webchat.js');
}

function sendFile(res: Response, file: string, type: string, maxAgeSeconds: number): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': `public, max-age=${maxAgeSeconds}`, 'x-content-type-options': 'nosniff' });
  fs.createReadStream(file).pipe(res);
}

/**
 * GET /chat (the page), its script, strings and the Web Chat bundle, and POST /chat/token:
 * a Direct Line token for a new conversation, so the browser never sees DIRECTLINE_SECRET.
 */
export function registerWebChatRoutes(server: Server, deps: { config: AppConfig; directLine: DirectLineEndpoint }): void {
  const { config, directLine } = deps;
  const bundle = webChatBundlePath();
  const strings = JSON.parse(fs.readFileSync(path.join(WEBCHAT_DIR, 'strings.json'), 'utf8'));
  const settings = JSON.stringify({
    bankName: { 'zh-CN': config.BANK_NAME_ZH, en: config.BANK_NAME_EN },
    accentColor: config.CHAT_ACCENT_COLOR,
    strings,
  });

  server.get('/chat', async (_req: Request, res: Response) => sendFile(res, path.join(WEBCHAT_DIR, 'index.html'), 'text/html; charset=utf-8', 0));
  server.get('/chat/app.js', async (_req: Request, res: Response) => sendFile(res, path.join(WEBCHAT_DIR, 'chat.js'), 'text/javascript; charset=utf-8', 0));
  server.get('/chat/webchat.js', async (_req: Request, res: Response) => sendFile(res, bundle, 'text/javascript; charset=utf-8', 24 * 3600));
  server.get('/chat/settings.json', async (_req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(settings);
  });
  server.post('/chat/token', async (_req: Request, res: Response) => {
    res.header('cache-control', 'no-store');
    res.json(directLine.issueForNewConversation());
  });
}
