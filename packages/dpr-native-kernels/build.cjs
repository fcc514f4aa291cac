'use strict';
// Install step: node-gyp rebuild against the headers of the Node that runs it. node-gyp's default
// is to download headers for that version, which fails offline; Node's own install usually ships
// them in <prefix>/include/node, so point node-gyp there unless npm already sets a nodedir.
// A failure exits non-zero: npm then drops this optional package and the install goes on.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const args = ['rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
// npm names its bundled node-gyp in npm_config_node_gyp for install scripts; run by hand, use the
// copy inside the npm that ships with this Node.
const candidates = [
  process.env.npm_config_node_gyp,
  path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
const result =
  candidates.length > 0
    ? spawnSync(process.execPath, [candidates[0], ...args], { stdio: 'inherit' })
    : spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) console.error(`dpr-native-kernels: could not run node-gyp: ${result.error.message}`);
process.exit(result.status ?? 1);
