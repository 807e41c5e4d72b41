#!/usr/bin/env node
// Regenerates everything cppapp took from JavaScript into OUTPUT_DIR and compares it with the
// committed copies: the tables compiled into src/http (tables.js) and the unit tests' answers in
// tests/data/http (expectations.js). Also checks that the packages pinned here are the versions
// bench/reference (nodeapp) installs. Prints one FAIL line per difference, naming the first
// differing entry, then "N passed, N failed".
//   node check.js OUTPUT_DIR            compare
//   node check.js OUTPUT_DIR --update   copy the regenerated files over the committed ones first
'use strict';
const fs = require('fs');
const path = require('path');
const { writeTables } = require('./tables');
const { writeExpectations } = require('./expectations');

const root = path.join(__dirname, '..', '..', '..');
const tablesDir = path.join(root, 'src', 'http');
const expectationsDir = path.join(root, 'tests', 'data', 'http');
const reference = path.join(root, 'bench', 'reference');

/// The first entry where two versions of a file differ: a line of a table, a case of a JSON file.
function firstDifference(committed, fresh, file) {
  if (file.endsWith('.json')) {
    const a = JSON.parse(committed);
    const b = JSON.parse(fresh);
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const left = Array.isArray(a[key]) ? a[key] : [a[key]];
      const right = Array.isArray(b[key]) ? b[key] : [b[key]];
      for (let i = 0; i < Math.max(left.length, right.length); i++) {
        if (JSON.stringify(left[i]) !== JSON.stringify(right[i])) {
          return `${key}[${i}]: committed ${JSON.stringify(left[i])}, JavaScript now ${JSON.stringify(right[i])}`;
        }
      }
    }
    return 'the same values, laid out differently';
  }
  const a = committed.split('\n');
  const b = fresh.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}: committed ${JSON.stringify(a[i] ?? '(end of file)')}, generated ${JSON.stringify(b[i] ?? '(end of file)')}`;
    }
  }
  return 'no difference';
}

// Versions as nodeapp resolves them: compressible's own mime-db may be nested under it.
function referenceVersion(name, from) {
  const paths = [from ? path.dirname(require.resolve(`${from}/package.json`, { paths: [reference] })) : reference];
  return require(require.resolve(`${name}/package.json`, { paths })).version;
}

function main() {
  const out = process.argv[2];
  const update = process.argv.includes('--update');
  if (!out) {
    console.error('usage: check.js OUTPUT_DIR [--update]');
    process.exit(2);
  }
  const generated = [
    ...writeTables(path.join(out, 'tables')).map((f) => [path.join(out, 'tables', f), path.join(tablesDir, f)]),
    ...writeExpectations(expectationsDir, path.join(out, 'expectations')).map((f) => [
      path.join(out, 'expectations', f),
      path.join(expectationsDir, f),
    ]),
  ];
  let passed = 0;
  let failed = 0;
  for (const [fresh, committed] of generated) {
    if (update) fs.copyFileSync(fresh, committed);
    const a = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
    const b = fs.readFileSync(fresh, 'utf8');
    if (a === b) {
      passed++;
    } else {
      failed++;
      console.log(`FAIL  ${path.relative(root, committed)} is stale (run tests/conformance/run --update and review the diff): ` +
        firstDifference(a, b, committed));
    }
  }

  const pinned = [['etag'], ['fresh'], ['range-parser'], ['mime'], ['compressible'], ['mime-db', 'compressible']];
  for (const [name, from] of pinned) {
    let theirs;
    try {
      theirs = referenceVersion(name, from);
    } catch (error) {
      theirs = `not installed (${error.code || error.message})`;
    }
    const ours = require(`${name}/package.json`).version;
    if (ours === theirs) {
      passed++;
    } else {
      failed++;
      console.log(`FAIL  from_js pins ${name} ${ours}, bench/reference runs ${theirs}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
}

main();
