// The JavaScript answers the C++ unit tests in tests/unit/http assert, recomputed from the
// inputs of tests/data/http/<name>.json by the npm packages nodeapp runs (pinned here) and by
// Node's own Date (V8, with TZ=UTC). The unit tests read those files; `run` regenerates them and
// fails when the committed copies are stale, so both sides check the same cases.
// To add a case: add its inputs to the JSON file (any placeholder answer), run
// `tests/conformance/run --update`, review the diff.
'use strict';
process.env.TZ = 'UTC';  // Date.parse reads zone-less dates as local time
const fs = require('fs');
const path = require('path');
const etag = require('etag');
const fresh = require('fresh');
const rangeParser = require('range-parser');

const version = (name) => require(`${name}/package.json`).version;

function bodyBytes(c) {
  return c.body_hex !== undefined ? Buffer.from(c.body_hex, 'hex') : Buffer.from(c.body, 'utf8');
}

// What etag's isstats() accepts: send hands it fs.Stats.
function stats(size, mtimeMs) {
  const time = new Date(mtimeMs);
  return { ctime: time, mtime: time, ino: 0, size };
}

const headerObject = (fields) => Object.fromEntries(fields.map(([name, value]) => [name.toLowerCase(), value]));

const KINDS = { '-1': 'unsatisfiable', '-2': 'malformed' };

/// name -> function(committed JSON) -> the same JSON with every answer recomputed.
const GENERATORS = {
  etag: (data) => ({
    source: `etag ${version('etag')}: etag(bytes, {weak: true}) as Express's res.send, etag(fs.Stats) as send`,
    bodies: data.bodies.map((c) => {
      const { tag, ...input } = c;
      return { ...input, tag: etag(bodyBytes(c), { weak: true }) };
    }),
    files: data.files.map(({ size, mtime_ms }) => ({ size, mtime_ms, tag: etag(stats(size, mtime_ms)) })),
  }),
  fresh: (data) => ({
    source: `fresh ${version('fresh')}: fresh(request headers, response headers)`,
    cases: data.cases.map(({ request, response }) => ({
      request,
      response,
      fresh: fresh(headerObject(request), headerObject(response)),
    })),
  }),
  range: (data) => ({
    source: `range-parser ${version('range-parser')}: rangeParser(size, header, {combine: true}) as send calls it`,
    cases: data.cases.map(({ size, header }) => {
      const result = rangeParser(size, header, { combine: true });
      return typeof result === 'number'
        ? { size, header, kind: KINDS[result], ranges: [] }
        : { size, header, kind: 'ok', ranges: result.map(({ start, end }) => ({ start, end })) };
    }),
  }),
  http_date: (data) => ({
    source: "Node's Date (V8), TZ=UTC: Date.parse and Date#toUTCString",
    parse: data.parse.map(({ text }) => {
      const ms = Date.parse(text);
      return { text, ms: Number.isNaN(ms) ? null : ms };
    }),
    format: data.format.map(({ ms }) => ({ ms, text: new Date(ms).toUTCString() })),
  }),
};

// One case a line, so a diff shows which case changed.
function format(document) {
  const members = Object.entries(document).map(([key, value]) => {
    const text = Array.isArray(value)
      ? '[\n' + value.map((item) => '  ' + JSON.stringify(item)).join(',\n') + '\n ]'
      : JSON.stringify(value);
    return ` ${JSON.stringify(key)}: ${text}`;
  });
  return '{\n' + members.join(',\n') + '\n}\n';
}

/// Recomputes every file of `committedDir` into `dir`; returns their names.
function writeExpectations(committedDir, dir) {
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(GENERATORS).map(([name, generate]) => {
    const file = name + '.json';
    const committed = JSON.parse(fs.readFileSync(path.join(committedDir, file), 'utf8'));
    fs.writeFileSync(path.join(dir, file), format(generate(committed)));
    return file;
  });
}

module.exports = { writeExpectations };
