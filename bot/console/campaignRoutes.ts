/**
 * The console's campaign API (docs/CAMPAIGNS.md, "Campaigns"): surveys to pick from, drafts,
 * audience previews, and launch / pause / resume / cancel. Supervisor and up; every change is
 * audited. Results and the CSV export are registered by the analytics routes.
 */
import type { Request, Server } from 'restify';
import type { AuditEventRepository, AuditEventType } from '../../services/audit/auditEventRepository';
import { AppError } from '../../services/appError';
import type { CampaignService } from '../../services/campaigns/campaignService';
import type { Campaign } from '../../services/campaigns/campaign';
import type { SurveyDefinitionRepository } from '../../services/surveys/surveyDefinitionRepository';
import type { GuardedRoute } from './consoleRoutes';

/** What the routes need; a function because the campaign service is built after the console (503 until then). */
export interface CampaignRouteSources {
  campaigns?: CampaignService;
  surveyDefinitions?: Pick<SurveyDefinitionRepository, 'list'>;
}

/** How long a launch request waits for the recipients to be stored before answering. */
const LAUNCH_WAIT_MS = 10_000;

const ip = (req: Request) => req.socket?.remoteAddress ?? 'unknown';

/** The JSON body as an object; a body that is not one is a 400, not a crash. */
function body(req: Request): Record<string, unknown> {
  const value = req.body ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw AppError.badRequest('invalid_body', 'send a JSON object');
  return value as Record<string, unknown>;
}

export function registerCampaignRoutes(server: Server, deps: {
  guarded: GuardedRoute;
  audit: AuditEventRepository;
  sources: () => CampaignRouteSources;
}): void {
  const { guarded, audit } = deps;
  const service = (): CampaignService => {
    const campaigns = deps.sources().campaigns;
    if (!campaigns) throw new AppError('campaigns_unavailable', 'campaigns are not running', 503);
    return campaigns;
  };
  const audited = (type: AuditEventType, req: Request, staffId: string, campaign: Campaign) =>
    audit.add({ type, at: new Date(), staffId, ip: ip(req), detail: { campaignId: campaign.id, name: campaign.name, status: campaign.status } });

  server.get('/api/console/surveys', guarded('supervisor', async (_req, res) => {
    const definitions = await deps.sources().surveyDefinitions?.list() ?? [];
    res.json({ surveys: definitions.map((s) => ({ id: s.id, title: s.title })) });
  }, { csrf: false }));

  server.get('/api/console/campaigns', guarded('supervisor', async (_req, res) => {
    res.json({ campaigns: await service().list() });
  }, { csrf: false }));

  server.post('/api/console/campaigns', guarded('supervisor', async (req, res, session) => {
    const campaign = await service().create(body(req), session.staffId);
    await audited('campaign.create', req, session.staffId, campaign);
    res.status(201);
    res.json({ campaign });
  }, { csrf: true }));

  // Registered before /:id so "preview" is never read as a campaign id.
  server.post('/api/console/campaigns/preview', guarded('supervisor', async (req, res) => {
    res.json(await service().preview(body(req)));
  }, { csrf: true }));

  server.get('/api/console/campaigns/:id', guarded('supervisor', async (req, res) => {
    const { counts, ...campaign } = await service().get(String(req.params.id));
    res.json({ campaign, counts });
  }, { csrf: false }));

  server.put('/api/console/campaigns/:id', guarded('supervisor', async (req, res, session) => {
    const campaign = await service().update(String(req.params.id), body(req));
    await audited('campaign.update', req, session.staffId, campaign);
    res.json({ campaign });
  }, { csrf: true }));

  server.get('/api/console/campaigns/:id/preview', guarded('supervisor', async (req, res) => {
    res.json(await service().previewCampaign(String(req.params.id)));
  }, { csrf: false }));

  const actions = {
    // A large audience keeps being stored after the answer; the console polls the counts.
    launch: (s: CampaignService, id: string) => s.launch(id, { waitMs: LAUNCH_WAIT_MS }),
    pause: (s: CampaignService, id: string) => s.pause(id),
    resume: (s: CampaignService, id: string) => s.resume(id),
    cancel: (s: CampaignService, id: string) => s.cancel(id),
  } as const;
  for (const [action, run] of Object.entries(actions)) {
    server.post(`/api/console/campaigns/:id/${action}`, guarded('supervisor', async (req, res, session) => {
      const campaign = await run(service(), String(req.params.id));
      await audited(`campaign.${action}` as AuditEventType, req, session.staffId, campaign);
      res.json({ campaign });
    }, { csrf: true }));
  }
}
