import { DEFAULT_FEATURE_OPTIONS, extractTerms, TfidfVectorizer } from '../../../services/nlu/featureExtractor';

const options = DEFAULT_FEATURE_OPTIONS;

describe('extractTerms', () => {
  it('When English text is given, then stemmed word n-grams come from natural\'s tokenizer and Porter stemmer', () => {
    const terms = extractTerms('cancelling my callbacks', options);
    expect(terms).toEqual(expect.arrayContaining(['w1:cancel', 'w1:callback', 'w2:cancel my', 'w3:cancel my callback', 'r:cancelling']));
  });

  it('When English text is given, then character n-grams stay inside padded words', () => {
    const terms = extractTerms('card', options);
    expect(terms).toEqual(expect.arrayContaining(['c: c', 'c:car', 'c:card ', 'c: card']));
    expect(terms.some((t) => t.startsWith('c:') && t.slice(2).trim().includes(' '))).toBe(false);
  });

  it('When Chinese text is given, then Han character unigrams and bigrams are produced', () => {
    expect(extractTerms('查询贷款', options)).toEqual(['h:查', 'h:询', 'h:贷', 'h:款', 'h:查询', 'h:询贷', 'h:贷款']);
  });

  it('When Han trigrams are asked for, then they are added', () => {
    expect(extractTerms('查询贷款', { ...options, hanNgramMax: 3 })).toEqual(expect.arrayContaining(['h:查询贷', 'h:询贷款']));
  });

  it('When Chinese and English are mixed, then both kinds of terms are produced and no n-gram spans the scripts', () => {
    const terms = extractTerms('我的loan申请', options);
    expect(terms).toEqual(expect.arrayContaining(['w1:loan', 'h:我的', 'h:申请']));
    expect(terms.some((t) => t.includes('的l') || t.includes('n申'))).toBe(false);
  });

  it('When the synonyms option is on, then domain synonyms give the training word\'s terms, and not when it is off', () => {
    expect(extractTerms('lost dongle', { ...options, synonyms: true })).toEqual(expect.arrayContaining(['w1:token', 'w2:lost token']));
    expect(extractTerms('lost dongle', options)).not.toContain('w1:token');
  });

  it('When word pairs are asked for, then every unordered pair of distinct content stems is a term, function words only when kept', () => {
    const terms = extractTerms('my card has not arrived', { ...options, wordPairs: true });
    expect(terms).toEqual(expect.arrayContaining(['p:arriv+card', 'p:card+not', 'p:arriv+not']));
    expect(terms.filter((t) => t.startsWith('p:')).some((t) => t.includes('my') || t.includes('ha+') || t.includes('+ha'))).toBe(false);
    expect(extractTerms('my card has not arrived', { ...options, wordPairs: true, pairStopWords: true })).toContain('p:card+my');
    expect(extractTerms('my card has not arrived', options).some((t) => t.startsWith('p:'))).toBe(false);
  });

  it('When a number appears, then it becomes a number placeholder word', () => {
    expect(extractTerms('transfer 300 dollars', options)).toEqual(expect.arrayContaining(['w1:<num>', 'w2:transfer <num>']));
  });
});

describe('TfidfVectorizer', () => {
  const docs = [['w1:a', 'w1:b', 'c:ab'], ['w1:a', 'w1:c'], ['w1:b', 'w1:b', 'c:bb']];
  const vectorizer = TfidfVectorizer.fit(docs, options);

  it('When fitted twice on the same texts, then the vocabulary is the same and sorted', () => {
    expect(TfidfVectorizer.fit(docs, options).vocabulary).toEqual(vectorizer.vocabulary);
    expect([...vectorizer.vocabulary].sort()).toEqual(vectorizer.vocabulary);
  });

  it('When a text is transformed, then the vector has unit length and ignores unknown terms', () => {
    const v = vectorizer.transform(['w1:a', 'w1:b', 'c:ab', 'w1:zzz']);
    const norm = Math.sqrt(Array.from(v.values).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(v.indices.length).toBe(3);
  });

  it('When a pair weight is set, then word pairs are a block of their own with that share of the vector', () => {
    const pairDocs = [['w1:a', 'p:a+b'], ['w1:b', 'p:a+b']];
    const weighted = TfidfVectorizer.fit(pairDocs, { ...options, wordPairs: true, pairWeight: 0.5 });
    const v = weighted.transform(['w1:a', 'p:a+b']);
    const valueOf = (term: string): number => v.values[Array.from(v.indices).indexOf(weighted.vocabulary.indexOf(term))];
    expect(valueOf('p:a+b') / valueOf('w1:a')).toBeCloseTo(0.5, 5);
  });

  it('When no term is known, then the vector is empty', () => {
    expect(vectorizer.transform(['w1:unknown']).indices.length).toBe(0);
  });
});
