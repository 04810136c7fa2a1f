/**
 * Console routes of the relationship analytics (supervisor+): a campaign's results, its
 * responses as CSV (audited), and the service dashboard. Contract: docs/CAMPAIGNS.md.
 */
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { StaffSession } from '../../services/staff/sessionStore';
import type { StaffRole } from '../../services/staff/staffRepository';
import { LANGUAGES, type Language } from '../../services/i18n/localizer';
import { AppError } from '../../services/appError';
import type { CampaignResultsService } from '../../services/analytics/campaignResults';
import type { ResponsesCsvExport } from '../../services/analytics/responsesCsv';
import type { ServiceDashboardService } from '../../services/analytics/serviceDashboard';

/** The console's guard (session, role, CSRF on writes; errors answered as JSON), as consoleRoutes gives it. */
type Guarded = (role: StaffRole, handler: (req: Request, res: Response, session: StaffSession) => Promise<void>, options: { csrf: boolean }) => (req: Request, res: Response) => Promise<void>;

export interface AnalyticsServices {
  results: CampaignResultsService;
  csv: ResponsesCsvExport;
  dashboard: ServiceDashboardService;
}

const query = (req: Request, name: string): string | undefined => {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value ? value : undefined;
};

/** Writes one chunk, waiting for the socket to drain when its buffer is full. */
async function write(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => { res.off('drain', done); res.off('close', closed); resolve(); };
    const closed = () => { res.off('drain', done); reject(new Error('client went away')); };
    res.once('drain', done);
    res.once('close', closed);
  });
}

export function registerAnalyticsRoutes(server: Server, deps: { guarded: Guarded; audit: AuditEventRepository; logger: Logger; services: () => AnalyticsServices }): void {
  const { guarded, audit, logger } = deps;

  server.get('/api/console/campaigns/:id/results', guarded('supervisor', async (req, res) => {
    res.json(await deps.services().results.results(String(req.params.id)));
  }, { csrf: false }));

  server.get('/api/console/campaigns/:id/responses.csv', guarded('supervisor', async (req, res, session) => {
    const campaignId = String(req.params.id);
    const lang = query(req, 'lang');
    if (lang !== undefined && !LANGUAGES.includes(lang as Language)) throw AppError.badRequest('invalid_language', `lang must be one of ${LANGUAGES.join(', ')}`);
    const { fileName, lines } = await deps.services().csv.open(campaignId, lang as Language | undefined);
    await audit.add({ type: 'campaign.export', at: new Date(), staffId: session.staffId, ip: req.socket?.remoteAddress ?? 'unknown', detail: { campaignId, language: lang ?? 'both' } });
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    try {
      for await (const line of lines) await write(res, line);
      res.end();
    } catch (error) {
      // Headers are gone: the client sees a cut file rather than a JSON error.
      logger.warn({ err: { message: (error as Error)?.message }, campaignId }, 'responses CSV export stopped');
      res.destroy();
    }
  }, { csrf: false }));

  server.get('/api/console/dashboard', guarded('supervisor', async (req, res) => {
    const dashboard = deps.services().dashboard;
    const { from, to } = dashboard.range(query(req, 'from'), query(req, 'to'));
    res.json(await dashboard.dashboard(from, to));
  }, { csrf: false }));
}
