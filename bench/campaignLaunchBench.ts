/**
 * Campaign launch time (not a test): `npx tsx bench/campaignLaunchBench.ts [--customers=10000] [--mongo=URI]`.
 *
 * Starts FerretDB (unless --mongo=URI), seeds --customers customers with consent and a
 * conversation (bulk inserts), then times, through the campaign service on the Mongo stores:
 * the audience preview, the launch (status change + materialising every recipient with the
 * consent, conversation and frequency-cap checks), and a second ensureMaterialised (a no-op).
 */
import { openMongoConnection } from '../models/mongo/mongoConnection';
import { MongoCampaignRepository } from '../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../models/campaigns/mongoCampaignRecipientRepository';
import { MongoCustomerRepository } from '../models/customers/mongoCustomerRepository';
import { MongoConversationRepository } from '../models/conversations/mongoConversationRepository';
import { MongoTicketRepository } from '../models/tickets/mongoTicketRepository';
import { MongoSurveyDefinitionRepository } from '../models/surveys/mongoSurveyDefinitionRepository';
import { loadSurveyDefinitions } from '../services/surveys/surveyDefinitionLoader';
import { Audience } from '../services/campaigns/audience';
import { FrequencyCap } from '../services/campaigns/frequencyCap';
import { CampaignService } from '../services/campaigns/campaignService';
import { startFerretDb } from '../scripts/ferretdbServer';
import { seedCustomersWithConversations } from '../test/support/campaignSeed';
import path from 'node:path';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const customerCount = Number(args.get('customers') ?? 10_000);

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await run();
  console.log(`${what}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s`);
  return result;
}

async function main(): Promise<void> {
  const ferret = args.get('mongo') ? undefined : await startFerretDb({ database: 'rapport_launch_bench' });
  const connection = await openMongoConnection(args.get('mongo') ?? ferret!.uri);
  try {
    await timed(`seed ${customerCount} customers`, () => seedCustomersWithConversations(connection, { count: customerCount, serviceUrl: 'http://127.0.0.1:1', prefix: 'launch' }));
    const recipients = new MongoCampaignRecipientRepository(connection);
    const surveys = new MongoSurveyDefinitionRepository(connection);
    await loadSurveyDefinitions(path.resolve(__dirname, '../data/surveys'), surveys);
    const service = new CampaignService({
      campaigns: new MongoCampaignRepository(connection), recipients, surveys, defaultTimeZone: 'Asia/Shanghai',
      audience: new Audience({
        customers: new MongoCustomerRepository(connection), tickets: new MongoTicketRepository(connection),
        conversations: new MongoConversationRepository({ connection }), frequencyCap: new FrequencyCap(recipients),
      }),
    });
    const campaign = await service.create({ name: 'bench', kind: 'survey', surveyId: 'service-satisfaction', quietHours: { start: '00:00', end: '00:00' } }, 'bench');
    console.log('preview', await timed('preview', () => service.previewCampaign(campaign.id)));
    await timed('launch (materialise)', () => service.launch(campaign.id));
    await timed('ensureMaterialised again', () => service.ensureMaterialised(campaign.id));
    console.log('counts', (await service.get(campaign.id)).counts);
    console.log(`rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  } finally {
    await connection.close();
    await ferret?.stop();
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
