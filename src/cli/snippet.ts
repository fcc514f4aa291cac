/** One line of `text`, cut to `width` characters with an ellipsis (for human-readable output). */
export function snippet(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}
