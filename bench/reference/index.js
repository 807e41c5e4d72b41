require('./src/app');
require('./src/controllers');
