#!/usr/bin/env node
// Runs the JavaScript originals on every corpus case and writes what they produce, as JSON:
//   expected/templates.json   nunjucks 3.2.4 (autoescape on, FileSystemLoader over templates/views)
//   expected/minify.json      html-minifier 2.1.6 with the seed's options
//   expected/urlencoded.json  body-parser's urlencoded({extended: true}) middleware (its qs)
// Usage: node generate.js OUTPUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const corpus = require('./lib/corpus');
const oracles = require('./lib/oracles');

async function main() {
  const out = process.argv[2] || path.join(__dirname, 'expected');
  fs.mkdirSync(out, { recursive: true });
  const write = (name, value) =>
    fs.writeFileSync(path.join(out, name), JSON.stringify(value, null, 1) + '\n');

  const templates = {};
  for (const c of corpus.templateCases()) templates[c.id] = await oracles.renderNunjucks(c.template, c.context);
  write('templates.json', templates);

  const minified = {};
  for (const c of corpus.minifyCases()) minified[c.id] = oracles.minifyHtml(c.html);
  write('minify.json', minified);

  const bodies = {};
  for (const c of corpus.urlencodedCases()) bodies[c.id] = await oracles.parseUrlencoded(c.body, c.options);
  write('urlencoded.json', bodies);

  write('versions.json', oracles.versions());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
