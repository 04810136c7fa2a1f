/**
 * Builds the Teams app package: `npm run teams:package` → dist/teams/rapport-teams.zip with
 * manifest.json (teams/manifest.template.json filled from config), the zh-CN localization
 * file, color.png and outline.png. Names, descriptions and command lists come from the locale
 * resources, so Teams shows the same words the bot recognises (a command sends its title).
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { loadConfig, type AppConfig } from '../bot/config';
import { Localizer, type Language } from '../services/i18n/localizer';

const ROOT = path.resolve(__dirname, '..');
const TEAMS_DIR = path.join(ROOT, 'teams');
/** Where `npm run teams:package` writes the app package. */
export const DEFAULT_PACKAGE_PATH = path.join(ROOT, 'dist', 'teams', 'rapport-teams.zip');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCALIZATION_SCHEMA = 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.Localization.schema.json';

/** The package can't be built: every problem found, one per line, each naming the setting to fix. */
export class TeamsPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

/** A bot command as the manifest lists it; Teams sends the title as the message text. */
interface Command { title: string; description: string }

/** The manifest and its zh-CN localization file, validated. */
export interface TeamsManifest {
  manifest: Record<string, unknown>;
  localizations: Record<string, Record<string, string>>;
}

/** Fills the template from config and the locale resources; throws {@link TeamsPackageError} listing every problem. */
export function buildTeamsManifest(config: AppConfig, localizer: Localizer, templatePath = path.join(TEAMS_DIR, 'manifest.template.json')): TeamsManifest {
  const problems: string[] = [];
  if (!config.MicrosoftAppId) {
    problems.push('MicrosoftAppId is empty: set it to the bot\'s Microsoft app id (a GUID); Teams routes messages to that bot id');
  } else if (!GUID.test(config.MicrosoftAppId)) {
    problems.push(`MicrosoftAppId=${JSON.stringify(config.MicrosoftAppId)} is not a GUID`);
  }
  if (config.TEAMS_APP_ID && !GUID.test(config.TEAMS_APP_ID)) problems.push(`TEAMS_APP_ID=${JSON.stringify(config.TEAMS_APP_ID)} is not a GUID`);
  for (const key of ['TEAMS_WEBSITE_URL', 'TEAMS_PRIVACY_URL', 'TEAMS_TERMS_URL'] as const) {
    if (!config[key]) problems.push(`${key} is empty: Teams requires an https URL for it`);
  }

  const text = (language: Language) => {
    const bankName = language === 'en' ? config.BANK_NAME_EN : config.BANK_NAME_ZH;
    return {
      'name.full': localizer.t(language, 'teams.fullNameFormat', { name: config.TEAMS_APP_NAME, bankName }),
      'description.short': localizer.t(language, 'teams.shortDescription', { bankName }),
      'description.full': localizer.t(language, 'teams.fullDescription', { bankName }),
      commands: commands(localizer, language),
    };
  };
  const en = text('en');
  const zh = text('zh-CN');
  for (const [language, t] of [['en', en], ['zh-CN', zh]] as const) {
    if (t['name.full'].length > 100) problems.push(`the ${language} full name is over 100 characters (TEAMS_APP_NAME or teams.fullNameFormat)`);
    if (t['description.short'].length > 80) problems.push(`the ${language} short description is over 80 characters (teams.shortDescription)`);
    if (t['description.full'].length > 4000) problems.push(`the ${language} full description is over 4000 characters (teams.fullDescription)`);
    for (const c of t.commands) {
      if (c.title.length > 32 || c.description.length > 128) problems.push(`the ${language} command "${c.title}" is too long (32 characters for a title, 128 for a description)`);
    }
  }
  if (problems.length > 0) throw new TeamsPackageError(problems);

  const values: Record<string, unknown> = {
    version: config.TEAMS_APP_VERSION,
    appId: config.TEAMS_APP_ID || config.MicrosoftAppId,
    botId: config.MicrosoftAppId,
    developerName: config.TEAMS_DEVELOPER_NAME || config.BANK_NAME_EN,
    websiteUrl: config.TEAMS_WEBSITE_URL,
    privacyUrl: config.TEAMS_PRIVACY_URL,
    termsOfUseUrl: config.TEAMS_TERMS_URL,
    'name.short': config.TEAMS_APP_NAME,
    'name.full': en['name.full'],
    'description.short': en['description.short'],
    'description.full': en['description.full'],
    commands: en.commands,
  };
  const manifest = fill(JSON.parse(fs.readFileSync(templatePath, 'utf8')), values, problems) as Record<string, unknown>;
  if (problems.length > 0) throw new TeamsPackageError(problems);

  // Teams' localization file: JSON paths into the manifest, same structure in both languages.
  const zhFile: Record<string, string> = {
    $schema: LOCALIZATION_SCHEMA, 'name.short': config.TEAMS_APP_NAME,
    'name.full': zh['name.full'], 'description.short': zh['description.short'], 'description.full': zh['description.full'],
  };
  zh.commands.forEach((c, i) => {
    zhFile[`bots[0].commandLists[0].commands[${i}].title`] = c.title;
    zhFile[`bots[0].commandLists[0].commands[${i}].description`] = c.description;
  });
  return { manifest, localizations: { 'zh-CN.json': zhFile } };
}

/** The menu choices (which the main dialog routes by their exact text), talk-to-a-person, and help. */
function commands(localizer: Localizer, language: Language): Command[] {
  const titles = [...localizer.list(language, 'main.menuChoices'), localizer.t(language, 'main.personChoice'), localizer.t(language, 'teams.helpCommand')];
  const descriptions = localizer.list(language, 'teams.commandDescriptions');
  if (descriptions.length !== titles.length) throw new TeamsPackageError([`teams.commandDescriptions (${language}) has ${descriptions.length} entries; the commands are ${titles.length}`]);
  return titles.map((title, i) => ({ title, description: descriptions[i] }));
}

/** Replaces "{{key}}" strings (a whole string may become any JSON value); unknown keys are problems. */
function fill(node: unknown, values: Record<string, unknown>, problems: string[]): unknown {
  if (typeof node === 'string') {
    const whole = /^\{\{([\w.]+)\}\}$/.exec(node);
    if (whole) {
      if (!(whole[1] in values)) problems.push(`the template names an unknown value {{${whole[1]}}}`);
      return values[whole[1]];
    }
    return node.replace(/\{\{([\w.]+)\}\}/g, (match, key: string) => {
      if (!(key in values)) problems.push(`the template names an unknown value ${match}`);
      return String(values[key] ?? '');
    });
  }
  if (Array.isArray(node)) return node.map((item) => fill(item, values, problems));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, values, problems)]));
  return node;
}

/** Builds the manifest and writes the zip; resolves with its path. */
export async function packageTeamsApp(config: AppConfig, outFile = DEFAULT_PACKAGE_PATH): Promise<string> {
  const localizer = new Localizer(path.join(ROOT, 'locales'));
  const { manifest, localizations } = buildTeamsManifest(config, localizer);
  const zip = new JSZip();
  // Teams wants the files at the root of the zip, not in a folder.
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [name, content] of Object.entries(localizations)) zip.file(name, `${JSON.stringify(content, null, 2)}\n`);
  zip.file('color.png', fs.readFileSync(path.join(TEAMS_DIR, 'color.png')));
  zip.file('outline.png', fs.readFileSync(path.join(TEAMS_DIR, 'outline.png')));
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, bytes);
  return outFile;
}

if (require.main === module) {
  packageTeamsApp(loadConfig())
    .then((file) => console.log(`Teams app package: ${path.relative(process.cwd(), file)}`))
    .catch((error: Error) => {
      console.error(error instanceof TeamsPackageError ? error.message : `Cannot build the Teams app package: ${error.message}`);
      process.exitCode = 1;
    });
}
