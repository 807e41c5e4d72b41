// The three corpora, read from the files under tests/conformance. Every case has a stable id
// (its file name, or its index in a list) shared by generate.js and compare.py.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const viewsDir = path.join(root, 'templates', 'views');

function readJson(file, fallback) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
}

/// Every views/cases/*.html rendered with contexts/cases__<name>.json (default {}), then the
/// templates/direct.json list: other views rendered directly, as res.render would.
function templateCases() {
  const cases = [];
  for (const file of fs.readdirSync(path.join(viewsDir, 'cases')).sort()) {
    if (!file.endsWith('.html')) continue;
    const template = 'cases/' + file;
    const contextFile = path.join(root, 'templates', 'contexts', 'cases__' + file.replace(/\.html$/, '.json'));
    cases.push({ id: template, template, context: readJson(contextFile, {}) });
  }
  readJson(path.join(root, 'templates', 'direct.json'), []).forEach((entry, index) => {
    cases.push({ id: `direct/${index}:${entry.template}`, template: entry.template, context: entry.context });
  });
  return cases;
}

/// Every minify/documents/*.html, as bytes decoded as UTF-8 (as Express hands the page over).
function minifyCases() {
  const dir = path.join(root, 'minify', 'documents');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort()
    .map((file) => ({ id: file, html: fs.readFileSync(path.join(dir, file), 'utf8') }));
}

/// urlencoded/cases.json: {body} or {body_base64} (raw bytes), with optional depth/parameterLimit.
function urlencodedCases() {
  return readJson(path.join(root, 'urlencoded', 'cases.json'), []).map((c, index) => ({
    id: String(index),
    body: c.body_base64 !== undefined ? Buffer.from(c.body_base64, 'base64') : Buffer.from(c.body, 'utf8'),
    options: { depth: c.depth, parameterLimit: c.parameterLimit },
  }));
}

module.exports = { viewsDir, templateCases, minifyCases, urlencodedCases };
