import type { Language } from './localizer';

/** Formats an instant for a client in their language and the business time zone. */
export function formatDateTime(instant: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone, year: 'numeric', month: language === 'zh-CN' ? 'long' : 'short', day: 'numeric',
    weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(instant);
}

/** Formats a date only (no time). */
export function formatDate(instant: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone, year: 'numeric', month: language === 'zh-CN' ? 'long' : 'short', day: 'numeric', weekday: 'short',
  }).format(instant);
}

/** Formats a money amount; Chinese uses 万/亿 for large CNY amounts, as clients write them. */
export function formatMoney(amount: number, currency: string, language: Language): string {
  if (language === 'zh-CN' && currency === 'CNY') {
    if (Math.abs(amount) >= 1e8) return `${trim(amount / 1e8)}亿元`;
    if (Math.abs(amount) >= 1e4) return `${trim(amount / 1e4)}万元`;
    return `${trim(amount)}元`;
  }
  return new Intl.NumberFormat(language === 'zh-CN' ? 'zh-CN' : 'en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(amount);
}

function trim(n: number): string {
  return String(Math.round(n * 100) / 100);
}
