import type { Language } from '../i18n/localizer';

export type Interruption =
  | { kind: 'help' }
  | { kind: 'cancel' }
  | { kind: 'human' }
  | { kind: 'switchLanguage'; language: Language };

export interface InterruptionVocabulary {
  help: string[]; cancel: string[]; human: string[];
  switchToEnglish: string[]; switchToChinese: string[]; politeness: string[];
  /** Regular expressions for an explicit request for a person anywhere in a message. */
  humanRequests?: string[];
  /** Campaign opt-out words ("stop", "退订", "TD"): the whole message, like cancel. */
  optOut?: string[];
  /** Words that undo an opt-out ("subscribe", "订阅"): the whole message. */
  optIn?: string[];
}

/**
 * Recognises the global interruptions a client can type at any step of any dialog.
 * help, cancel, a person and language switches must be the whole message (so "cancel my
 * callback" or a complaint that mentions 取消 or 人工客服 is not taken as an interruption);
 * an explicit request for a person ("帮我转人工", "let me talk to a real person") counts
 * anywhere in the message, because a client who asks for one should always get one.
 */
export class InterruptionDetector {
  private readonly help: Set<string>;
  private readonly cancel: Set<string>;
  private readonly english: Set<string>;
  private readonly chinese: Set<string>;
  private readonly human: Set<string>;
  private readonly humanRequests: RegExp[];
  private readonly politeness: string[];
  private readonly optOut: Set<string>;
  private readonly optIn: Set<string>;

  constructor(vocabulary: InterruptionVocabulary) {
    const norm = (list: string[]) => list.map((s) => normalize(s));
    this.politeness = norm(vocabulary.politeness).sort((a, b) => b.length - a.length);
    this.help = new Set(norm(vocabulary.help));
    this.cancel = new Set(norm(vocabulary.cancel));
    this.english = new Set(norm(vocabulary.switchToEnglish));
    this.chinese = new Set(norm(vocabulary.switchToChinese));
    this.human = new Set(norm(vocabulary.human));
    this.humanRequests = (vocabulary.humanRequests ?? []).map((pattern) => new RegExp(pattern, 'iu'));
    this.optOut = new Set(norm(vocabulary.optOut ?? []));
    this.optIn = new Set(norm(vocabulary.optIn ?? []));
  }

  /** The client asks to get campaigns again ("subscribe", "订阅"): the whole message. */
  isOptIn(text: string | undefined): boolean {
    return this.matchesWhole(this.optIn, text);
  }

  /**
   * A campaign opt-out ("stop", "unsubscribe", "退订", "TD", "不要再发了"): the whole message, so
   * "stop the payment" is not one. Kept apart from {@link detect}: an opt-out ends campaigns,
   * not the task in hand, and the dialogs that know the opt-out service ask for it.
   */
  isOptOut(text: string | undefined): boolean {
    return this.matchesWhole(this.optOut, text);
  }

  private matchesWhole(words: Set<string>, text: string | undefined): boolean {
    if (!text) return false;
    const normalized = normalize(text);
    if (!normalized || normalized.length > 200) return false;
    return words.has(normalized) || words.has(this.stripPoliteness(normalized));
  }

  detect(text: string | undefined): Interruption | undefined {
    if (!text) return undefined;
    const normalized = normalize(text);
    if (!normalized || normalized.length > 200) return undefined;
    const bare = this.stripPoliteness(normalized);
    if (this.human.has(bare) || this.human.has(normalized) || this.humanRequests.some((re) => re.test(normalized))) return { kind: 'human' };
    if (this.cancel.has(bare) || this.cancel.has(normalized)) return { kind: 'cancel' };
    if (this.help.has(bare) || this.help.has(normalized)) return { kind: 'help' };
    if (this.english.has(bare) || this.english.has(normalized)) return { kind: 'switchLanguage', language: 'en' };
    if (this.chinese.has(bare) || this.chinese.has(normalized)) return { kind: 'switchLanguage', language: 'zh-CN' };
    return undefined;
  }

  private stripPoliteness(text: string): string {
    let out = ` ${text} `;
    for (const word of this.politeness) {
      out = /[a-z]/.test(word) ? out.split(` ${word} `).join(' ') : out.split(word).join('');
    }
    return out.replace(/\s+/g, ' ').trim();
  }
}

/** NFKC, lower case, punctuation to spaces, whitespace collapsed. */
function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}
