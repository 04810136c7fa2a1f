import { Schema, type Connection, type Model } from 'mongoose';
import { parseSurveyDefinition, type SurveyDefinition } from '../../services/surveys/surveyDefinition';
import type { SurveyDefinitionRepository } from '../../services/surveys/surveyDefinitionRepository';

interface SurveyDefinitionDocument {
  surveyId: string;
  version: number;
  definition: SurveyDefinition;
  updatedAt: Date;
}

const surveyDefinitionSchema = new Schema<SurveyDefinitionDocument>({
  surveyId: { type: String, required: true, match: /^[A-Za-z0-9_-]+$/ },
  version: { type: Number, required: true, min: 1 },
  // The structure is validated by the zod schema before it gets here; stored as one document.
  definition: { type: Schema.Types.Mixed, required: true },
  updatedAt: { type: Date, required: true },
}, { versionKey: false });
surveyDefinitionSchema.index({ surveyId: 1 }, { unique: true });

/** Survey definitions in MongoDB, one document per survey id. */
export class MongoSurveyDefinitionRepository implements SurveyDefinitionRepository {
  private readonly model: Model<SurveyDefinitionDocument>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoSurveyDefinitionRepository needs a mongoose connection');
    this.model = connection.models.SurveyDefinition ?? connection.model<SurveyDefinitionDocument>('SurveyDefinition', surveyDefinitionSchema);
  }

  async save(definition: SurveyDefinition): Promise<boolean> {
    const valid = parseSurveyDefinition(definition);
    this.indexes ??= this.model.init();
    await this.indexes;
    const replacement = { surveyId: valid.id, version: valid.version, definition: valid, updatedAt: new Date() };
    try {
      // Upsert only over a same-or-older version: a newer stored version makes the filter miss,
      // the upsert then hits the unique index, and we report "not stored".
      await this.model.replaceOne({ surveyId: valid.id, version: { $lte: valid.version } }, replacement, { upsert: true });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  async get(surveyId: string): Promise<SurveyDefinition | undefined> {
    const doc = await this.model.findOne({ surveyId }).lean();
    return doc ? (doc.definition as SurveyDefinition) : undefined;
  }

  async list(): Promise<SurveyDefinition[]> {
    const docs = await this.model.find({}).sort({ surveyId: 1 }).lean();
    return docs.map((d) => d.definition as SurveyDefinition);
  }
}
