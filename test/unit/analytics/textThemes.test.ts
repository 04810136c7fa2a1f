import { chineseTerms, englishTerms, TermCounts, topThemes } from '../../../services/analytics/textThemes';

function counts(texts: string[]): TermCounts {
  const c = new TermCounts();
  texts.forEach((t) => c.add(t));
  return c;
}

const campaignZh = [
  '办理速度太慢了，审批要等三个星期',
  '审批速度慢，材料要求太多',
  '客户经理很专业，就是审批太慢',
  '希望网银更稳定，经常登录不上',
];
const campaignEn = [
  'The approval took too long and the fees are not clear.',
  'Approval is slow; my relationship manager was helpful though.',
  'Fees are not clear at all, approval slow.',
];
const otherCampaigns = [
  '客户经理很专业，服务很好', '客户经理回复及时', '服务很好，谢谢', '网点排队时间长',
  'My relationship manager is great.', 'Great service, thank you.', 'The branch queue was long.',
];

describe('Text themes', () => {
  test('When Chinese text is split into terms, then stopwords go, traditional characters are simplified and neighbouring words join', () => {
    const terms = chineseTerms('客戶經理很專業，回复及时');
    expect([...terms]).toEqual(expect.arrayContaining(['客户经理', '专业', '回复及时']));
    expect(terms.has('很')).toBe(false);
    expect([...terms].some((t) => t.includes('很'))).toBe(false);
  });

  test('When English text is split into terms, then stopwords go, phrases stay inside a clause and "not clear" is kept', () => {
    const terms = englishTerms('The fees are NOT clear. Approval slow');
    expect([...terms]).toEqual(expect.arrayContaining(['fees', 'not clear', 'approval slow', 'approval', 'slow']));
    expect(terms.has('the')).toBe(false);
    expect(terms.has('clear approval')).toBe(false);
  });

  test('When a campaign\'s Chinese answers complain about slow approval, then 审批 leads its themes and terms common everywhere rank lower', () => {
    const foreground = counts(campaignZh);
    const background = counts([...campaignZh, ...otherCampaigns]);
    const themes = topThemes(foreground, background);
    expect(themes['zh-CN'][0]).toMatchObject({ term: '审批', count: 3 });
    expect(themes['zh-CN'].length).toBeLessThanOrEqual(10);
    const rank = (term: string) => themes['zh-CN'].findIndex((t) => t.term === term);
    // 客户经理 is as frequent in other campaigns: it is not what sets this one apart.
    expect(rank('客户经理') === -1 || rank('客户经理') > rank('审批')).toBe(true);
    expect(themes.en).toEqual([]);
  });

  test('When a campaign\'s English answers complain about approval and unclear fees, then those are its top themes with their counts', () => {
    const themes = topThemes(counts(campaignEn), counts([...campaignEn, ...otherCampaigns]));
    const top = themes.en.slice(0, 3).map((t) => [t.term, t.count]);
    expect(top).toEqual(expect.arrayContaining([['approval', 3], ['fees', 2]]));
    expect(themes.en.find((t) => t.term === 'not clear')).toMatchObject({ count: 2 });
    // "clear" alone says less than "not clear" with the same count: it is dropped.
    expect(themes.en.find((t) => t.term === 'clear')).toBeUndefined();
    expect(themes['zh-CN']).toEqual([]);
  });

  test('When weights are computed, then they are tf × (ln((1+N)/(1+df)) + 1)', () => {
    const themes = topThemes(counts(['审批慢', '审批']), counts(['审批慢', '审批', '服务好', '服务']));
    // 审批: tf 2, N 4, df 2 → 2 × (ln(5/3) + 1)
    expect(themes['zh-CN'].find((t) => t.term === '审批')?.weight).toBeCloseTo(2 * (Math.log(5 / 3) + 1), 3);
  });

  test('When there are no answers, then there are no themes', () => {
    expect(topThemes(new TermCounts(), new TermCounts())).toEqual({ 'zh-CN': [], en: [] });
  });
});
