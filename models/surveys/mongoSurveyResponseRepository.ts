import { Schema, type Connection, type Model } from 'mongoose';
import {
  assertSafeFieldName,
  type SurveyAnswerValue,
  type SurveyResponseMeta,
  type SurveyResponseAnalyticsQueries,
  type SurveyResponseRecord,
  type SurveyResponseRepository,
} from '../../services/surveys/surveyResponseRepository';

type ResponseHeader = Omit<SurveyResponseRecord, 'answers'>;

interface AnswerDocument {
  surveyId: string;
  respondentKey: string;
  questionId: string;
  value: SurveyAnswerValue;
  answeredAt: Date;
}

const responseSchema = new Schema<ResponseHeader>({
  surveyId: { type: String, required: true },
  respondentKey: { type: String, required: true },
  status: { type: String, required: true, enum: ['in_progress', 'completed'], default: 'in_progress' },
  meta: { type: Schema.Types.Mixed, default: {} },
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
  completedAt: { type: Date },
}, { versionKey: false, minimize: false });
responseSchema.index({ surveyId: 1, respondentKey: 1 }, { unique: true });
responseSchema.index({ surveyId: 1, createdAt: 1 });
// Analytics: a client's recent answers, and answers by date.
responseSchema.index({ respondentKey: 1, updatedAt: 1 });
responseSchema.index({ updatedAt: 1 });

const answerSchema = new Schema<AnswerDocument>({
  surveyId: { type: String, required: true },
  respondentKey: { type: String, required: true },
  questionId: { type: String, required: true, match: /^[A-Za-z0-9_-]+$/ },
  value: { type: Schema.Types.Mixed },
  answeredAt: { type: Date, required: true },
}, { versionKey: false });
answerSchema.index({ surveyId: 1, respondentKey: 1, questionId: 1 }, { unique: true });

/**
 * Survey responses in MongoDB. The response (status, meta, times) is one document, unique per
 * (surveyId, respondentKey); each answer is its own document, unique per question.
 *
 * Why not `$set answers.<qid>` on the response: FerretDB 1.x (our Mongo-wire test and
 * small-deployment server) applies updates as read-modify-write of the whole document, so
 * concurrent updates of one document lose each other's fields (measured: 20 concurrent
 * `$set` of different fields kept 3). Inserts guarded by a unique index are atomic there, so
 * an answer is an insert, and answering again updates only that question's document.
 */
export class MongoSurveyResponseRepository implements SurveyResponseRepository, SurveyResponseAnalyticsQueries {
  private readonly responses: Model<ResponseHeader>;
  private readonly answers: Model<AnswerDocument>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoSurveyResponseRepository needs a mongoose connection');
    this.responses = connection.models.SurveyResponse ?? connection.model<ResponseHeader>('SurveyResponse', responseSchema);
    this.answers = connection.models.SurveyAnswer ?? connection.model<AnswerDocument>('SurveyAnswer', answerSchema);
  }

  async saveAnswer(surveyId: string, respondentKey: string, questionId: string, answer: SurveyAnswerValue, meta: SurveyResponseMeta = {}, at = new Date()): Promise<void> {
    assertSafeFieldName(questionId, 'question id');
    for (const k of Object.keys(meta)) assertSafeFieldName(k, 'meta key');
    await this.ensureIndexes();
    const metaSet = Object.fromEntries(Object.entries(meta).map(([k, v]) => [`meta.${k}`, v]));
    await retryOnDuplicate(() => this.responses.updateOne(
      { surveyId, respondentKey },
      { $set: { ...metaSet, updatedAt: at }, $setOnInsert: { status: 'in_progress', createdAt: at } },
      { upsert: true },
    ));
    await retryOnDuplicate(() => this.answers.updateOne(
      { surveyId, respondentKey, questionId },
      { $set: { value: answer, answeredAt: at } },
      { upsert: true },
    ));
  }

  async get(surveyId: string, respondentKey: string): Promise<SurveyResponseRecord | undefined> {
    const header = await this.responses.findOne({ surveyId, respondentKey }, { _id: 0 }).lean();
    if (!header) return undefined;
    const answers = await this.answers.find({ surveyId, respondentKey }).lean();
    return toRecord(header, answers);
  }

  async complete(surveyId: string, respondentKey: string, at = new Date()): Promise<boolean> {
    const result = await this.responses.updateOne({ surveyId, respondentKey }, { $set: { status: 'completed', completedAt: at, updatedAt: at } });
    return result.matchedCount > 0;
  }

  async listBySurvey(surveyId: string): Promise<SurveyResponseRecord[]> {
    const headers = await this.responses.find({ surveyId }, { _id: 0 }).sort({ createdAt: 1, respondentKey: 1 }).lean();
    const answers = await this.answers.find({ surveyId }).lean();
    return headers.map((h) => toRecord(h, answers.filter((a) => a.respondentKey === h.respondentKey)));
  }

  async listByRespondent(respondentKey: string, since: Date): Promise<SurveyResponseRecord[]> {
    const headers = await this.responses.find({ respondentKey, updatedAt: { $gte: since } }, { _id: 0 }).sort({ updatedAt: 1 }).lean();
    if (headers.length === 0) return [];
    const answers = await this.answers.find({ respondentKey, surveyId: { $in: [...new Set(headers.map((h) => h.surveyId))] } }).lean();
    return headers.map((h) => toRecord(h, answers.filter((a) => a.surveyId === h.surveyId)));
  }

  /**
   * Walks the headers and the answers of the survey with two cursors, both in respondent key
   * order, and joins them as it goes: memory stays one response, whatever the survey's size.
   */
  async *streamBySurvey(surveyId: string): AsyncIterable<SurveyResponseRecord> {
    const headers = this.responses.find({ surveyId }, { _id: 0 }).sort({ respondentKey: 1 }).lean().cursor();
    const answers = this.answers.find({ surveyId }).sort({ respondentKey: 1 }).lean().cursor();
    let pending = (await answers.next()) as AnswerDocument | null;
    try {
      for await (const header of headers) {
        const own: AnswerDocument[] = [];
        while (pending && byteOrder(pending.respondentKey, header.respondentKey) < 0) pending = (await answers.next()) as AnswerDocument | null;
        while (pending && pending.respondentKey === header.respondentKey) {
          own.push(pending);
          pending = (await answers.next()) as AnswerDocument | null;
        }
        yield toRecord(header, own);
      }
    } finally {
      await answers.close();
    }
  }

  /**
   * The same two-cursor join as {@link streamBySurvey}, in (survey, respondent) order: one pass
   * over the headers updated in the range and one over the answers given before its end (an
   * answer is never newer than its response's update). No `$in` of keys: FerretDB 1.x runs one
   * as a scan of the whole collection per query.
   */
  async *streamUpdatedBetween(from: Date, to: Date): AsyncIterable<SurveyResponseRecord> {
    const headers = this.responses.find({ updatedAt: { $gte: from, $lt: to } }, { _id: 0 }).sort({ surveyId: 1, respondentKey: 1 }).lean().cursor();
    const answers = this.answers.find({ answeredAt: { $lt: to } }).sort({ surveyId: 1, respondentKey: 1 }).lean().cursor();
    const before = (a: AnswerDocument, h: Record<string, any>) => (byteOrder(a.surveyId, h.surveyId) || byteOrder(a.respondentKey, h.respondentKey)) < 0;
    let pending = (await answers.next()) as AnswerDocument | null;
    try {
      for await (const header of headers) {
        const own: AnswerDocument[] = [];
        while (pending && before(pending, header)) pending = (await answers.next()) as AnswerDocument | null;
        while (pending && pending.surveyId === header.surveyId && pending.respondentKey === header.respondentKey) {
          own.push(pending);
          pending = (await answers.next()) as AnswerDocument | null;
        }
        yield toRecord(header, own);
      }
    } finally {
      await answers.close();
    }
  }

  /** The unique indexes must exist before the first upsert, or concurrent first answers could both insert. */
  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.responses.init(), this.answers.init()]);
    return this.indexes;
  }
}

/** The order the server sorts strings in (binary UTF-8), so a join of two sorted cursors walks them alike. */
function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Two upserts racing to insert: the unique index lets one win, and ours becomes an update. */
async function retryOnDuplicate<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || attempt >= 3) throw err;
    }
  }
}

function toRecord(header: Record<string, any>, answers: AnswerDocument[]): SurveyResponseRecord {
  const record = {
    surveyId: header.surveyId,
    respondentKey: header.respondentKey,
    answers: Object.fromEntries(answers.map((a) => [a.questionId, a.value ?? null])),
    status: header.status,
    meta: { ...header.meta },
    createdAt: header.createdAt,
    updatedAt: header.updatedAt,
  } as SurveyResponseRecord;
  if (header.completedAt) record.completedAt = header.completedAt;
  return record;
}
