// The JavaScript originals, called as nodeapp calls them.
'use strict';
const { PassThrough } = require('stream');
const nunjucks = require('nunjucks');
const htmlMinifier = require('html-minifier');
const bodyParser = require('body-parser');
const { viewsDir } = require('./corpus');

/// The seed's htmlMinifier options (express-minify-html merges them over its own defaults,
/// which are the same five plus nothing else).
const SEED_MINIFIER_OPTIONS = {
  removeComments: true,
  collapseWhitespace: true,
  collapseBooleanAttributes: true,
  removeAttributeQuotes: true,
  removeEmptyAttributes: true,
  minifyJS: true,
};

// express-nunjucks builds an Environment over the views directory with nunjucks's defaults
// (autoescape on); its async loader reads the same files as FileSystemLoader.
const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir), { autoescape: true });

/// {output} or {error, line, column}: nunjucks's message with the views path made relative.
/// The callback form, as express-nunjucks calls it (errors in included templates arrive here).
function renderNunjucks(template, context) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result) => {
      if (!settled) resolve(result);
      settled = true;
    };
    const fail = (error) => {
      const message = String(error && error.message).split(viewsDir + '/').join('');
      const position = /\[Line (\d+), Column (\d+)\]/.exec(message);
      finish({ error: message, line: position ? Number(position[1]) : 0, column: position ? Number(position[2]) : 0 });
    };
    try {
      environment.render(template, context, (error, output) => (error ? fail(error) : finish({ output })));
    } catch (error) {
      fail(error);
    }
  });
}

/// {output} or {error} (html-minifier throws on some malformed input; Express then answers 500).
function minifyHtml(html) {
  try {
    return { output: htmlMinifier.minify(html, SEED_MINIFIER_OPTIONS) };
  } catch (error) {
    return { error: String(error.message || error).slice(0, 200) };
  }
}

/// Runs body-parser's real urlencoded({extended: true}) middleware on `bytes`:
/// {json: JSON.stringify(req.body)} or {status, type, message}.
function parseUrlencoded(bytes, options) {
  const settings = { extended: true };
  if (options.depth !== undefined) settings.depth = options.depth;
  if (options.parameterLimit !== undefined) settings.parameterLimit = options.parameterLimit;
  const middleware = bodyParser.urlencoded(settings);
  const req = new PassThrough();
  req.headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(bytes.length),
  };
  req.method = 'POST';
  req.url = '/';
  req.end(bytes);
  return new Promise((resolve) => {
    middleware(req, {}, (error) => {
      if (error) resolve({ status: error.status, type: error.type, message: error.message });
      else resolve({ json: JSON.stringify(req.body) });
    });
  });
}

function versions() {
  const version = (name) => require(`${name}/package.json`).version;
  return {
    nunjucks: version('nunjucks'),
    'html-minifier': version('html-minifier'),
    'body-parser': version('body-parser'),
    qs: require(require.resolve('qs/package.json', { paths: [require.resolve('body-parser')] })).version,
  };
}

module.exports = { SEED_MINIFIER_OPTIONS, renderNunjucks, minifyHtml, parseUrlencoded, versions };
