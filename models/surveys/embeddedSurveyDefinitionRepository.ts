import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { parseSurveyDefinition, type SurveyDefinition } from '../../services/surveys/surveyDefinition';
import type { SurveyDefinitionRepository } from '../../services/surveys/surveyDefinitionRepository';

const COLLECTION = 'surveyDefinitions';

/** Survey definitions in the embedded database, one document per survey id. */
export class EmbeddedSurveyDefinitionRepository implements SurveyDefinitionRepository {
  private ready: Promise<void> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedSurveyDefinitionRepository needs an EmbeddedDatabase');
  }

  async save(definition: SurveyDefinition): Promise<boolean> {
    const valid = parseSurveyDefinition(definition);
    const store = await this.store();
    // Replace only a same-or-older version; the filter makes it one atomic step.
    const { numAffected } = await store.updateAsync({ surveyId: valid.id, version: { $lte: valid.version } }, { surveyId: valid.id, version: valid.version, definition: valid }, {});
    if (numAffected > 0) return true;
    try {
      await store.insertAsync({ surveyId: valid.id, version: valid.version, definition: valid });
      return true;
    } catch (err) {
      if ((err as { errorType?: string }).errorType === 'uniqueViolated') return false; // a newer version is stored
      throw err;
    }
  }

  async get(surveyId: string): Promise<SurveyDefinition | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ surveyId });
    return doc ? (doc.definition as SurveyDefinition) : undefined;
  }

  async list(): Promise<SurveyDefinition[]> {
    const store = await this.store();
    const docs = await store.findAsync({}).sort({ surveyId: 1 });
    return docs.map((d) => d.definition as SurveyDefinition);
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= store.ensureIndexAsync({ fieldName: 'surveyId', unique: true });
    await this.ready;
    return store;
  }
}
