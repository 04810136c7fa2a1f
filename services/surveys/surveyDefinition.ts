import { z } from 'zod';

/** Text in both languages; every survey string a client sees comes from here or the locale files. */
const bilingualText = z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) }).strict();

/**
 * Question and choice ids become keys of the stored answers (`answers.<id>`), so they are
 * restricted to characters that are safe in a Mongo field path.
 */
const idPattern = /^[A-Za-z0-9_-]+$/;

const surveyChoiceSchema = z.object({
  id: z.string().regex(idPattern),
  label: bilingualText,
  synonyms: z.object({ 'zh-CN': z.array(z.string().min(1)).optional(), en: z.array(z.string().min(1)).optional() }).strict().optional(),
}).strict();

const surveyQuestionSchema = z.object({
  id: z.string().regex(idPattern),
  type: z.enum(['rating', 'nps', 'single', 'multiple', 'text']),
  required: z.boolean(),
  text: bilingualText,
  choices: z.array(surveyChoiceSchema).min(2).optional(),
  hint: bilingualText.optional(),
}).strict().superRefine((q, ctx) => {
  const needsChoices = q.type === 'single' || q.type === 'multiple';
  if (needsChoices && !q.choices) ctx.addIssue({ code: 'custom', message: `question ${q.id}: a ${q.type} question needs choices` });
  if (!needsChoices && q.choices) ctx.addIssue({ code: 'custom', message: `question ${q.id}: a ${q.type} question takes no choices` });
  const ids = (q.choices ?? []).map((c) => c.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: `question ${q.id}: duplicate choice ids` });
});

/** The zod schema of a survey definition file in `data/surveys/`. */
export const surveyDefinitionSchema = z.object({
  id: z.string().regex(idPattern),
  version: z.number().int().positive(),
  title: bilingualText,
  intro: bilingualText,
  questions: z.array(surveyQuestionSchema).min(1),
}).strict().superRefine((s, ctx) => {
  const ids = s.questions.map((q) => q.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: `survey ${s.id}: duplicate question ids` });
});

/** A survey: bilingual title, intro and questions (rating 1-5, NPS 0-10, single, multiple, free text). */
export type SurveyDefinition = z.infer<typeof surveyDefinitionSchema>;
/** One question of a survey. */
export type SurveyQuestion = SurveyDefinition['questions'][number];
/** One choice of a single- or multiple-choice question. */
export type SurveyChoice = NonNullable<SurveyQuestion['choices']>[number];
/** The question types a survey can use. */
export type SurveyQuestionType = SurveyQuestion['type'];

/**
 * Validates unknown data as a survey definition; throws an Error naming the source and every
 * problem, so a broken file stops the start instead of confusing a client mid-survey.
 */
export function parseSurveyDefinition(data: unknown, source = 'survey definition'): SurveyDefinition {
  const result = surveyDefinitionSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid ${source}: ${problems}`);
  }
  return result.data;
}
