const Express = require('express');
const expressNunjucks = require('express-nunjucks');
const ip = require('ip');
const bodyParser = require('body-parser');
const compression = require('compression');
const helmet = require('helmet');
const minifyHTML = require('express-minify-html');
const path = require('path');
const MongoClient = require('mongodb').MongoClient;

const logger = require('../libs/logger');

const app = new Express();
const server = new Express();
const mongoUrl = 'mongodb://mongo-store/nodeapp';
const port = process.env.PORT || 8080;

// Set prod to true for use within views
if (app.settings.env === 'production') {
    app.locals.prod = true;
}

MongoClient.connect(mongoUrl, { autoReconnect: true })
.then((db) => {
    logger.info('connected to mongodb');
})
.catch((err) => {
    logger.error(new Error(err));
});

app.set('trust proxy', true);
app.set('views', path.join(__dirname, '../views'));

app.use(compression()); // Better performance
app.use(helmet()); // Better security
app.use(bodyParser.json());
app.use(bodyParser.urlencoded({
    extended: true,
}));
app.use(minifyHTML({
    override: true,
    exception_url: false,
    htmlMinifier: {
        removeComments: true,
        collapseWhitespace: true,
        collapseBooleanAttributes: true,
        removeAttributeQuotes: true,
        removeEmptyAttributes: true,
        minifyJS: true,
    },
}));
app.use('/public', Express.static(path.join(__dirname, '../public')));

expressNunjucks(app, {
    watch: !app.locals.prod,
    noCache: !app.locals.prod,
});

server.use('/app1', app);

server.listen(port, () => {
    logger.info(`Started server: http://${ip.address()}:${port}`);
});

module.exports = app;
