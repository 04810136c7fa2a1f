import fs from 'node:fs';
import path from 'node:path';

/** The two languages Rapport speaks. zh-CN is the default (most clients write Chinese). */
export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

/** Maps any BCP-47 locale ("en-US", "zh-Hans-CN", "zh") to a supported language, or undefined. */
export function languageFromLocale(locale: string | undefined | null): Language | undefined {
  if (!locale) return undefined;
  const l = locale.toLowerCase();
  if (l.startsWith('zh')) return 'zh-CN';
  if (l.startsWith('en')) return 'en';
  return undefined;
}

export type MessageParams = Record<string, string | number>;
type Catalog = Record<string, string | string[]>;

/**
 * Every user-facing string comes from here. Resources live in `locales/<language>/<namespace>.json`
 * (zh-CN and en side by side, same keys); a key is `namespace.key`, placeholders are `{name}`.
 * A missing key or placeholder throws: a silent fallback would show a client raw keys.
 */
export class Localizer {
  private readonly catalogs = new Map<Language, Catalog>();

  constructor(localesDir: string) {
    if (!localesDir) throw new Error('Localizer needs the locales folder');
    for (const language of LANGUAGES) {
      const dir = path.join(localesDir, language);
      const catalog: Catalog = {};
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const namespace = path.basename(file, '.json');
        const entries = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, string | string[]>;
        for (const [key, value] of Object.entries(entries)) catalog[`${namespace}.${key}`] = value;
      }
      this.catalogs.set(language, catalog);
    }
  }

  /** All keys of one language, for the parity test. */
  keys(language: Language): string[] {
    return Object.keys(this.catalogs.get(language) ?? {}).sort();
  }

  has(language: Language, key: string): boolean {
    return key in (this.catalogs.get(language) ?? {});
  }

  /** The string for `key` in `language`, with `{placeholders}` filled from `params`. */
  t(language: Language, key: string, params: MessageParams = {}): string {
    const value = this.raw(language, key);
    const text = Array.isArray(value) ? value.join('\n') : value;
    return fill(text, params, key);
  }

  /** A list resource (e.g. keyword lists, choice labels). */
  list(language: Language, key: string): string[] {
    const value = this.raw(language, key);
    return Array.isArray(value) ? [...value] : [value];
  }

  private raw(language: Language, key: string): string | string[] {
    const value = this.catalogs.get(language)?.[key];
    if (value === undefined) throw new Error(`Missing locale resource ${language}:${key}`);
    return value;
  }
}

function fill(text: string, params: MessageParams, key: string): string {
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`Missing placeholder {${name}} for ${key}`);
    return String(params[name]);
  });
}
