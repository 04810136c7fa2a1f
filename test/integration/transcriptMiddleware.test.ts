/**
 * The buffered logger behind botbuilder's own TranscriptLoggerMiddleware: every inbound and
 * outbound activity reaches the store, masked, and a hung store never delays a reply.
 */
import { ActivityTypes, TestAdapter, TranscriptLoggerMiddleware, type Activity, type TurnContext } from 'botbuilder';
import pino from 'pino';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedTranscriptStore } from '../../models/transcripts/embeddedTranscriptStore';
import { BufferedTranscriptLogger, type TranscriptBatchSink } from '../../services/transcripts/bufferedTranscriptLogger';

const echo = async (context: TurnContext) => {
  if (context.activity.type === ActivityTypes.Message) await context.sendActivity(`echo: ${context.activity.text}`);
};

async function allActivities(store: EmbeddedTranscriptStore, channelId: string, conversationId: string): Promise<Activity[]> {
  const all: Activity[] = [];
  let token: string | undefined;
  do {
    const page = await store.getTranscriptActivities(channelId, conversationId, token);
    all.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return all;
}

describe('BufferedTranscriptLogger in TranscriptLoggerMiddleware', () => {
  test('When a user and the bot exchange messages, then every activity is stored in order with card numbers masked', async () => {
    const store = new EmbeddedTranscriptStore({ database: new EmbeddedDatabase(null) });
    const transcripts = new BufferedTranscriptLogger({ sink: store, logger: pino({ level: 'silent' }), flushIntervalMs: 10 });
    const adapter = new TestAdapter(echo).use(new TranscriptLoggerMiddleware(transcripts));

    await adapter.send('你好').assertReply('echo: 你好')
      .send('my card is 6222021234567890').assertReply('echo: my card is 6222021234567890')
      .startTest();
    await transcripts.flush(2000);

    const { channelId, conversation } = adapter.conversation;
    const stored = await allActivities(store, channelId!, conversation!.id);
    expect(stored.map((a) => [a.from.id === adapter.conversation.user?.id ? 'user' : 'bot', a.text])).toEqual([
      ['user', '你好'],
      ['bot', 'echo: 你好'],
      ['user', 'my card is ************7890'],
      ['bot', 'echo: my card is ************7890'],
    ]);
  });

  test('When the store hangs, then replies still come at once and the activities wait in the buffer', async () => {
    const hangingSink: TranscriptBatchSink = { logActivities: () => new Promise<void>(() => undefined) };
    const transcripts = new BufferedTranscriptLogger({ sink: hangingSink, logger: pino({ level: 'silent' }), batchSize: 1 });
    const adapter = new TestAdapter(echo).use(new TranscriptLoggerMiddleware(transcripts));
    const started = Date.now();
    await adapter.send('one').assertReply('echo: one').send('two').assertReply('echo: two').startTest();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(transcripts.stats().buffered).toBe(4);
  });
});
