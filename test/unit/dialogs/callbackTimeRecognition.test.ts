/**
 * The date-time recognizers cost 1.5-6 ms a message: a time answer in the booking is read once per
 * turn, though both the booking's check for a new request and the time prompt need it.
 */
import path from 'node:path';
import * as Recognizers from '@microsoft/recognizers-text-date-time';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { CallbackService } from '../../../services/callbacks/callbackService';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { CallbackBookingDialog } from '../../../dialogs/callbackBookingDialog';
import { createInterruptionDependencies, dialogClient, repoRoot } from '../../support/dialogHarness';

const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'), { timeZone: 'Asia/Shanghai', logger: { warn: () => undefined } });

test('When a client answers the time question, then the date-time recognizers read the message once in that turn', async () => {
  const callbacks = new CallbackService(new EmbeddedCallbackRepository(new EmbeddedDatabase(null)), {
    calendar, timeZone: 'Asia/Shanghai', now: () => new Date('2026-11-30T10:00:00+08:00'),
  });
  const dialog = new CallbackBookingDialog({ ...createInterruptionDependencies(), callbacks, isNewRequest: () => false });
  const client = dialogClient(dialog);
  await client.sendActivity({ type: 'message', text: '预约回电', locale: 'zh-CN' });
  await client.sendActivity({ type: 'message', text: '还款', locale: 'zh-CN' });
  const spy = jest.spyOn(Recognizers, 'recognizeDateTime');
  try {
    const reply = await client.sendActivity({ type: 'message', text: '明天下午三点', locale: 'zh-CN' });
    expect(reply.text).toContain('号码');
    expect(spy).toHaveBeenCalledTimes(1);
  } finally {
    spy.mockRestore();
  }
});
