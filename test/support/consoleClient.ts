/** A staff member's HTTP client for the console API: keeps the cookies a browser would and sends the CSRF header. */
export class ConsoleClient {
  private cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  get csrf(): string | undefined {
    return this.cookies.get('rapport_csrf');
  }

  /** The Cookie header this client would send (for raw requests such as the event stream). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  async login(email: string, password: string): Promise<{ status: number; body: any; headers: Headers }> {
    return this.call('POST', '/api/console/login', { email, password });
  }

  /** Calls the API; state-changing calls carry X-CSRF-Token unless `csrf: false`. */
  async call(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (method !== 'GET' && options.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const value = decodeURIComponent(pair.slice(i + 1));
      if (value) this.cookies.set(pair.slice(0, i), value); else this.cookies.delete(pair.slice(0, i));
    }
    const raw = await res.text();
    return { status: res.status, body: raw ? JSON.parse(raw) : undefined, headers: res.headers };
  }
}

/** The admin the app creates at start when given ADMIN_ENV. */
export const ADMIN = { email: 'admin@rapport.test', password: 'Adm1n-Correct-Horse' };
export const ADMIN_ENV = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };

export interface StaffAccount { email: string; password: string; displayName: string; role: string }

/** An agent and a supervisor for the tests to add (addStaff, or the console's staff service). */
export const AGENT: StaffAccount = { email: 'li.na@rapport.test', password: 'Agent-Battery-Staple-7', displayName: '李娜', role: 'agent' };
export const SUPERVISOR: StaffAccount = { email: 'wang.fang@rapport.test', password: 'Super-Visor-Lantern-9', displayName: '王芳', role: 'supervisor' };

/** A client signed in as this staff member (the sign-in must answer 200). */
export async function signIn(baseUrl: string, who: { email: string; password: string }): Promise<ConsoleClient> {
  const client = new ConsoleClient(baseUrl);
  expect((await client.login(who.email, who.password)).status).toBe(200);
  return client;
}

/** Signs in as ADMIN (the app must have ADMIN_ENV) and adds each staff member through the API (each must answer 201); returns the admin's client. */
export async function addStaff(baseUrl: string, staff: StaffAccount[]): Promise<ConsoleClient> {
  const admin = await signIn(baseUrl, ADMIN);
  for (const member of staff) expect((await admin.call('POST', '/api/console/staff', member)).status).toBe(201);
  return admin;
}
