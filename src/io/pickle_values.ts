/**
 * The values the restricted unpickler produces, and the policy that says which globals it may
 * name. Python values map to JavaScript as None → null, bool → boolean, int → number (bigint when
 * not a safe integer), float → number, str → string, bytes / bytearray → Uint8Array, list → array,
 * tuple → PyTuple, dict → PyDict (a Map).
 */

/** A Python tuple (kept apart from lists so callers can check what the writer wrote). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
  get length(): number {
    return this.items.length;
  }
}

/** A Python dict or OrderedDict, in insertion order. */
export type PyDict = Map<PyValue, PyValue>;

/** An object a global's handler produced (a tensor description, a numpy array…). */
export interface PyObject {
  readonly pyType: string;
  /** Called by BUILD (`obj.__setstate__(state)`); objects without it refuse BUILD. */
  setState?(state: PyValue): void;
}

/** An allowed global, as pushed by GLOBAL / STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly qualname: string,
    readonly handler: GlobalHandler,
  ) {}
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyObject;

export interface GlobalHandler {
  /** REDUCE / NEWOBJ with this global as the callable; absent means the global cannot be called. */
  call?(args: PyValue[], fail: (problem: string) => never): PyValue;
}

export interface UnpicklePolicy {
  /** Allowed globals by "module.name" (e.g. "collections.OrderedDict"). */
  globals: ReadonlyMap<string, GlobalHandler>;
  /** Resolves a persistent id (PERSID / BINPERSID); absent means persistent ids are refused. */
  persistentLoad?(pid: PyValue, fail: (problem: string) => never): PyValue;
  /** What the file should be, for messages ("a checkpoint" unless given). */
  fileKind?: string;
  /** Why a foreign global means the file is not what it should be (ends the refusal message). */
  refusalHint?: string;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode (several pickles may follow each other in one buffer). */
  end: number;
}

/** A short description of a value for error messages (bounded: never walks a whole structure). */
export function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  if (Array.isArray(value)) return `list[${value.length}]`;
  if (value instanceof PyTuple) return `tuple[${value.length}]`;
  if (value instanceof Map) return `dict[${value.size}]`;
  if (value instanceof PyGlobal) return value.qualname;
  return value.pyType;
}
