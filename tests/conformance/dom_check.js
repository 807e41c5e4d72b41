#!/usr/bin/env node
// For the minifier's intended differences: do html-minifier's page and cppapp's page parse to
// the same DOM (parse5, the HTML standard's parser) once the one thing we deliberately do not
// reproduce is factored out? That thing is UglifyJS (minifyJS): the text of executable inline
// scripts and of on* event-handler attributes is compared after running both through the
// UglifyJS html-minifier uses, so the programs must still be the same.
// stdin: {"id": [html-minifier's output, cppapp's output], ...}; stdout: {"id": null | problem}.
'use strict';
const parse5 = require('parse5');
const uglify = require('uglify-js');

const JS_TYPES = ['', 'text/javascript', 'application/javascript', 'text/ecmascript', 'application/ecmascript'];

function normaliseScript(code) {
  const text = code.trim().replace(/^<!--.*\n/, '').replace(/\n?\s*(\/\/)?\s*-->\s*$/, '');
  try {
    return uglify.minify(text, { fromString: true }).code;
  } catch (error) {
    return 'unparseable: ' + text;
  }
}

// A handler body may `return`: compare it as the body of a function.
function normaliseHandler(value) {
  return normaliseScript('function handler(){' + value.replace(/^\s*javascript:/i, '') + '}');
}

function canonical(node) {
  if (node.nodeName === '#text') return node.value;
  if (node.nodeName === '#comment') return ['#comment', node.data];
  if (node.nodeName === '#documentType') return ['#doctype', node.name];
  const attrs = (node.attrs || []).map(({ name, value }) =>
    [name, /^on/i.test(name) ? normaliseHandler(value) : value]);
  attrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const children = node.nodeName === 'template' ? node.content.childNodes : node.childNodes || [];
  let kids = children.map(canonical);
  if (node.nodeName === 'script') {
    const type = (attrs.find(([name]) => name === 'type') || ['', ''])[1].trim().toLowerCase();
    if (JS_TYPES.includes(type.split(';')[0].trim())) kids = [normaliseScript(kids.join(''))];
  }
  return [node.nodeName, attrs, kids];
}

function firstDifference(a, b) {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x === y ? null : `DOMs differ at ${i}: ${x.slice(Math.max(0, i - 60), i + 80)} | ${y.slice(Math.max(0, i - 60), i + 80)}`;
}

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const result = {};
  for (const [id, [theirs, ours]] of Object.entries(JSON.parse(input))) {
    result[id] = firstDifference(canonical(parse5.parse(theirs)), canonical(parse5.parse(ours)));
  }
  process.stdout.write(JSON.stringify(result));
});
