'use strict';
// Loads the addon built by node-gyp at install; throws when it was not built.
module.exports = require('./build/Release/dpr_native_kernels.node');
