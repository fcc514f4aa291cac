/**
 * `--workers N`: each worker is a thread with its own copy of the model computing on one core, so
 * more workers than cores only costs memory and load time (64 copies of a base model take minutes
 * and gigabytes). Larger values are lowered to the core count, with a note.
 */
import { availableParallelism } from 'node:os';
import { num, type ParsedArgs } from './args.js';

export function workersOption(args: ParsedArgs, command: string): { workers?: number } {
  const requested = num(args, 'workers');
  if (requested === undefined) return {};
  const cores = availableParallelism();
  if (requested <= cores) return { workers: requested };
  process.stderr.write(
    `${command}: note: --workers ${requested} is more than the ${cores} cores of this machine; using ${cores} (one model copy per worker).\n`,
  );
  return { workers: cores };
}
