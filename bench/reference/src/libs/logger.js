const winston = require('winston');
require('winston-logstash');

const logger = new winston.Logger({
    transports: [
        new (winston.transports.Console)({
            colorize: true,
            timestamp: () => new Date().toLocaleString(),
            handleExceptions: true,
            humanReadableUnhandledException: true,
        }),
    ],
});

if (process.env.NODE_ENV === 'production') {
    logger.add(winston.transports.Logstash, {
        port: 9000,
        node_name: 'nodapp1',
        host: 'logstash',
        handleExceptions: true,
        humanReadableUnhandledException: true,
    });
}

logger.exitOnError = false;

module.exports = logger;
