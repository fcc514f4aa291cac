/**
 * HF `PreTrainedTokenizerBase.pad` / `_pad` (right padding), shared by every tokenizer: the BERT
 * encodings and the reader's rows (which have no token_type_ids) are padded by the same code.
 */
import type { Offset, PaddingStrategy } from './types.js';

/** A row being padded; each field present is extended to the padded length. */
export interface PaddableRow {
  input_ids: number[];
  token_type_ids?: number[];
  attention_mask?: number[];
  special_tokens_mask?: number[];
  offset_mapping?: Offset[];
}

export interface PadOptions {
  padding: PaddingStrategy;
  max_length: number | null;
  pad_to_multiple_of: number | null;
  /** Add an all-ones attention_mask to a row that has none (before padding). */
  return_attention_mask: boolean;
  pad_token_id: number;
}

/** HF `_pad`: pads one row on the right to max_length (rounded up to pad_to_multiple_of). */
export function padRow(row: PaddableRow, options: PadOptions): void {
  const len = row.input_ids.length;
  let maxLength = options.padding === 'longest' ? len : options.max_length;
  const multiple = options.pad_to_multiple_of;
  if (maxLength !== null && multiple !== null && maxLength % multiple !== 0) {
    maxLength = (Math.floor(maxLength / multiple) + 1) * multiple;
  }
  if (options.return_attention_mask && row.attention_mask === undefined) row.attention_mask = new Array<number>(len).fill(1);
  if (options.padding === 'do_not_pad' || maxLength === null || len >= maxLength) return;
  const diff = maxLength - len;
  row.attention_mask?.push(...new Array<number>(diff).fill(0));
  row.token_type_ids?.push(...new Array<number>(diff).fill(0));
  row.special_tokens_mask?.push(...new Array<number>(diff).fill(1));
  if (row.offset_mapping !== undefined) for (let k = 0; k < diff; k++) row.offset_mapping.push([0, 0]);
  row.input_ids.push(...new Array<number>(diff).fill(options.pad_token_id));
}

/** HF `pad` over a batch: 'longest' becomes 'max_length' to the longest row, then `_pad` per row. */
export function padBatch(rows: PaddableRow[], options: PadOptions): void {
  if (rows.length === 0) return;
  let { padding, max_length: maxLength } = options;
  if (padding === 'longest') {
    maxLength = rows.reduce((m, r) => Math.max(m, r.input_ids.length), 0);
    padding = 'max_length';
  }
  for (const row of rows) padRow(row, { ...options, padding, max_length: maxLength });
}
