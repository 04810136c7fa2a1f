import type { SurveyDefinition } from './surveyDefinition';

/**
 * Port for survey definitions. `save` replaces the stored definition of the same id when the
 * version is the same or newer (so loading the folder twice, or an older file, never
 * downgrades a survey).
 */
export interface SurveyDefinitionRepository {
  /** Stores the definition; returns false when a newer version is already stored. */
  save(definition: SurveyDefinition): Promise<boolean>;
  /** The definition with this id, or undefined. */
  get(surveyId: string): Promise<SurveyDefinition | undefined>;
  /** Every stored definition, by id. */
  list(): Promise<SurveyDefinition[]>;
}
