/**
 * The dashboard's callback figures: kept and missed come from what staff recorded first, and
 * only a callback nobody worked is judged by the clock, after the grace that follows its slot.
 */
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { EmbeddedSurveyResponseRepository } from '../../../models/surveys/embeddedSurveyResponseRepository';
import { EmbeddedSurveyDefinitionRepository } from '../../../models/surveys/embeddedSurveyDefinitionRepository';
import { EmbeddedInquiryFeedbackRepository } from '../../../models/knowledge/embeddedInquiryFeedbackRepository';
import { EmbeddedCampaignRepository } from '../../../models/campaigns/embeddedCampaignRepository';
import { ServiceDashboardService } from '../../../services/analytics/serviceDashboard';
import { SurveyDefinitionResolver } from '../../../services/analytics/surveyQuestions';

const now = new Date('2026-11-30T09:00:00Z'); // 17:00 in Shanghai
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
const staff = { staffId: 's1', displayName: '李娜' };

async function world(callbackGraceMinutes?: number) {
  const db = new EmbeddedDatabase(null);
  const callbacks = new EmbeddedCallbackRepository(db);
  const dashboard = new ServiceDashboardService({
    tickets: new EmbeddedTicketRepository(db), callbacks, surveyResponses: new EmbeddedSurveyResponseRepository(db),
    inquiryFeedback: new EmbeddedInquiryFeedbackRepository(db),
    surveys: new SurveyDefinitionResolver(new EmbeddedSurveyDefinitionRepository(db), new EmbeddedCampaignRepository(db)),
    timeZone: 'Asia/Shanghai', callbackSlotMinutes: 30, callbackGraceMinutes, now: () => now,
  });
  let n = 0;
  const book = async (startedMinutesAgo: number) => {
    const reference = `CBK-20261130-${'ABCDEFGHJK'[n++]}AAA`;
    const slotStart = minutesAgo(startedMinutesAgo);
    await callbacks.book({
      reference, channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan', phone: '+8613812345678',
      slotStart, createdAt: minutesAgo(3 * 24 * 60), reminderDueAt: slotStart,
    }, 10);
    return reference;
  };
  const figures = async () => (await dashboard.dashboard(minutesAgo(7 * 24 * 60), now)).callbacks;
  return { callbacks, book, figures };
}

describe('Service dashboard: callbacks kept and missed', () => {
  test('When staff recorded outcomes, then kept counts done and missed counts marked missed plus callbacks nobody worked past the grace', async () => {
    const w = await world();
    const doneLate = await w.book(2 * 24 * 60); // done, recorded two days after its slot
    const doneToday = await w.book(120);
    const markedMissed = await w.book(10); // staff gave up before the slot even ended
    await w.book(60); // slot ended 30 minutes ago, nobody recorded it yet: neither kept nor missed
    await w.book(24 * 60); // nobody recorded it for a day: missed by the clock
    await w.book(-60); // still ahead, after the range's end: not counted
    const cancelled = await w.book(300);
    await w.callbacks.recordOutcome(doneLate, { outcome: 'done', by: staff, at: now });
    await w.callbacks.recordOutcome(doneToday, { outcome: 'done', note: '已沟通', by: staff, at: minutesAgo(100) });
    await w.callbacks.recordOutcome(markedMissed, { outcome: 'missed', note: 'no answer', by: staff, at: minutesAgo(5) });
    await w.callbacks.cancel(cancelled, minutesAgo(400));
    expect(await w.figures()).toEqual({ booked: 5, kept: 2, missed: 2 });
  });

  test('When nothing was recorded, then nothing is kept and the grace decides when an unworked callback turns missed', async () => {
    const w = await world(10);
    await w.book(45); // ended 15 minutes ago, grace of 10 is over
    await w.book(35); // ended 5 minutes ago
    expect(await w.figures()).toEqual({ booked: 2, kept: 0, missed: 1 });
  });
});
