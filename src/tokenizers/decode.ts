/**
 * HF's way back from ids to text: `convert_tokens_to_string` (WordPiece "##" pieces glued to the
 * previous token) and `clean_up_tokenization` (spaces before punctuation and contractions removed).
 */
import { isPythonSpace } from './unicode.js';

/** Python `str.strip()`. */
function pyStrip(s: string): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && isPythonSpace(cps[a]!.codePointAt(0)!)) a++;
  while (b > a && isPythonSpace(cps[b - 1]!.codePointAt(0)!)) b--;
  return cps.slice(a, b).join('');
}

/** HF `clean_up_tokenization`: removes the space that `decode` leaves before punctuation and contractions. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** HF `BertTokenizer.convert_tokens_to_string`. */
export function wordPiecesToString(tokens: readonly string[]): string {
  return pyStrip(tokens.join(' ').replaceAll(' ##', ''));
}
