/**
 * Streams a text file as lines with their 1-based numbers and byte offsets (so a record can be
 * read again later by offset, and an error can name file:line). Takes LF and CRLF line ends; the
 * line text excludes them. Reads in 1 MiB chunks: memory stays bounded whatever the file size.
 */
import { open } from 'node:fs/promises';

export interface Line {
  text: string;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past the line's end, its line terminator included. */
  end: number;
}

const CHUNK = 1 << 20;

export async function* readLines(path: string): AsyncGenerator<Line> {
  const file = await open(path, 'r');
  try {
    let pending = Buffer.alloc(0);
    let pendingStart = 0;
    let line = 0;
    let position = 0;
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let from = 0;
      for (let nl = data.indexOf(0x0a, from); nl >= 0; nl = data.indexOf(0x0a, from)) {
        const textEnd = nl > from && data[nl - 1] === 0x0d ? nl - 1 : nl;
        yield { text: data.toString('utf8', from, textEnd), line: ++line, start: pendingStart + from, end: pendingStart + nl + 1 };
        from = nl + 1;
      }
      pending = Buffer.from(data.subarray(from));
      pendingStart += from;
    }
    if (pending.length > 0) {
      const textEnd = pending[pending.length - 1] === 0x0d ? pending.length - 1 : pending.length;
      yield { text: pending.toString('utf8', 0, textEnd), line: ++line, start: pendingStart, end: pendingStart + pending.length };
    }
  } finally {
    await file.close();
  }
}
