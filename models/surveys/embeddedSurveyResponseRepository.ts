import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  assertSafeFieldName,
  type SurveyAnswerValue,
  type SurveyResponseMeta,
  type SurveyResponseAnalyticsQueries,
  type SurveyResponseRecord,
  type SurveyResponseRepository,
} from '../../services/surveys/surveyResponseRepository';

const COLLECTION = 'surveyResponses';

/**
 * Survey responses in the embedded database. NeDB serialises the operations of a datastore,
 * so the upsert below is atomic like Mongo's; the unique index on the compound key is the
 * same guarantee the Mongo index gives.
 */
export class EmbeddedSurveyResponseRepository implements SurveyResponseRepository, SurveyResponseAnalyticsQueries {
  private ready: Promise<void> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedSurveyResponseRepository needs an EmbeddedDatabase');
  }

  async saveAnswer(surveyId: string, respondentKey: string, questionId: string, answer: SurveyAnswerValue, meta: SurveyResponseMeta = {}, at = new Date()): Promise<void> {
    assertSafeFieldName(questionId, 'question id');
    const store = await this.store();
    const set: Record<string, unknown> = { [`answers.${questionId}`]: answer, updatedAt: at };
    for (const [k, v] of Object.entries(meta)) {
      assertSafeFieldName(k, 'meta key');
      set[`meta.${k}`] = v;
    }
    const key = compoundKey(surveyId, respondentKey);
    const updated = await store.updateAsync({ key }, { $set: set }, {});
    if (updated.numAffected > 0) return;
    try {
      await store.insertAsync({
        key, surveyId, respondentKey, answers: { [questionId]: answer }, status: 'in_progress', meta: { ...meta }, createdAt: at, updatedAt: at,
      });
    } catch (err) {
      // Another save created the response between our update and insert: update it instead.
      if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
      await store.updateAsync({ key }, { $set: set }, {});
    }
  }

  async get(surveyId: string, respondentKey: string): Promise<SurveyResponseRecord | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ key: compoundKey(surveyId, respondentKey) });
    return doc ? toRecord(doc) : undefined;
  }

  async complete(surveyId: string, respondentKey: string, at = new Date()): Promise<boolean> {
    const store = await this.store();
    const { numAffected } = await store.updateAsync({ key: compoundKey(surveyId, respondentKey) }, { $set: { status: 'completed', completedAt: at, updatedAt: at } }, {});
    return numAffected > 0;
  }

  async listBySurvey(surveyId: string): Promise<SurveyResponseRecord[]> {
    const store = await this.store();
    const docs = await store.findAsync({ surveyId }).sort({ createdAt: 1 });
    return docs.map(toRecord);
  }

  async listByRespondent(respondentKey: string, since: Date): Promise<SurveyResponseRecord[]> {
    const store = await this.store();
    const docs = await store.findAsync({ respondentKey, updatedAt: { $gte: since } }).sort({ updatedAt: 1 });
    return docs.map(toRecord);
  }

  /** NeDB keeps the data in memory anyway: one query, handed out one record at a time. */
  async *streamBySurvey(surveyId: string): AsyncIterable<SurveyResponseRecord> {
    const store = await this.store();
    const docs = await store.findAsync({ surveyId }).sort({ respondentKey: 1 });
    for (const doc of docs) yield toRecord(doc);
  }

  async *streamUpdatedBetween(from: Date, to: Date): AsyncIterable<SurveyResponseRecord> {
    const store = await this.store();
    const docs = await store.findAsync({ updatedAt: { $gte: from, $lt: to } }).sort({ updatedAt: 1 });
    for (const doc of docs) yield toRecord(doc);
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= store.ensureIndexAsync({ fieldName: 'key', unique: true });
    await this.ready;
    return store;
  }
}

/** NeDB has no compound unique index, so the pair is folded into one unique field. */
function compoundKey(surveyId: string, respondentKey: string): string {
  return JSON.stringify([surveyId, respondentKey]);
}

function toRecord(doc: Record<string, any>): SurveyResponseRecord {
  const { _id, key: _key, ...rest } = doc;
  const record = { ...rest, answers: { ...rest.answers }, meta: { ...rest.meta } } as SurveyResponseRecord;
  if (!record.completedAt) delete record.completedAt;
  return record;
}
