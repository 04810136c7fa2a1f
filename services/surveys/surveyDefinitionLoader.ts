import fs from 'node:fs/promises';
import path from 'node:path';
import { parseSurveyDefinition, type SurveyDefinition } from './surveyDefinition';
import type { SurveyDefinitionRepository } from './surveyDefinitionRepository';

/** Reads and validates every `*.json` in `dir` (a broken file throws, naming the file). */
export async function readSurveyDefinitions(dir: string): Promise<SurveyDefinition[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const definitions: SurveyDefinition[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    let data: unknown;
    try {
      data = JSON.parse(await fs.readFile(full, 'utf8'));
    } catch (err) {
      throw new Error(`Invalid survey definition ${full}: ${(err as Error).message}`);
    }
    definitions.push(parseSurveyDefinition(data, `survey definition ${full}`));
  }
  const ids = definitions.map((d) => d.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`Two survey definition files in ${dir} use the id "${duplicate}"`);
  return definitions;
}

/**
 * Loads the survey folder into the repository at start. Files are the source of truth for
 * wording; the repository keeps them where the dialogs (and other processes) read them.
 * Returns the ids that were stored.
 */
export async function loadSurveyDefinitions(dir: string, repository: SurveyDefinitionRepository): Promise<string[]> {
  const stored: string[] = [];
  for (const definition of await readSurveyDefinitions(dir)) {
    if (await repository.save(definition)) stored.push(definition.id);
  }
  return stored;
}
