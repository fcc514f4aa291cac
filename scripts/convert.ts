/**
 * Standalone form of `dpr convert`: `node --import tsx scripts/convert.ts SRC_DIR OUT_DIR [--dtype float16]`.
 * Same options and exit codes as the CLI command (src/cli/commands/convert.ts).
 */
import { run } from '../src/cli/commands/convert.js';

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`convert: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
