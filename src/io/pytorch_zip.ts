/**
 * A minimal zip reader for the container `torch.save` writes since PyTorch 1.6
 * (caffe2/serialize/inline_container.cc, PyTorchStreamWriter over miniz): entries stored
 * uncompressed with their data 64-byte aligned, zip64 records when the archive is large.
 * The central directory is read once; entry data is read on demand by offset, so a caller can
 * stream one tensor at a time instead of holding the archive in memory. Deflated entries
 * (a checkpoint re-zipped by another tool) are inflated with a bound equal to their declared size.
 * Every size and offset is checked against the file before it is used.
 */
import { closeSync, fstatSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { failIn, openForReading, readExactly } from './open_file.js';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** Absolute file offset of the entry's (possibly compressed) bytes. */
  dataOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

const crc32: ((data: Uint8Array) => number) | undefined = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;

/** A 64-bit little-endian size or offset, refused unless it is a safe integer. */
function u64(buffer: Buffer, offset: number, file: string, what: string): number {
  const v = buffer.readBigUInt64LE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) failIn(file, `${what} ${v} is not a plausible size`);
  return Number(v);
}

export class ZipReader {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    readonly size: number,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Opens a zip archive and validates its central directory and local headers. */
  static open(path: string): ZipReader {
    const fd = openForReading(path);
    try {
      const size = fstatSync(fd).size;
      return new ZipReader(path, fd, size, readCentralDirectory(fd, size, path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  entry(name: string): ZipEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) failIn(this.path, `the archive has no entry "${name}"`);
    return entry;
  }

  private get openFd(): number {
    if (this.fd === undefined) failIn(this.path, 'the archive was already closed');
    return this.fd;
  }

  /** The whole (inflated) content of an entry, its CRC-32 checked. */
  readEntry(name: string): Buffer {
    const entry = this.entry(name);
    const raw = readExactly(this.openFd, entry.compressedSize, entry.dataOffset, this.path, `entry "${name}"`);
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else {
      try {
        data = entry.uncompressedSize === 0 ? Buffer.alloc(0) : zlib.inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize });
      } catch (e) {
        failIn(this.path, `entry "${name}" does not inflate to its declared ${entry.uncompressedSize} bytes (${(e as Error).message})`);
      }
      if (data.length !== entry.uncompressedSize) {
        failIn(this.path, `entry "${name}" inflates to ${data.length} bytes, but the directory says ${entry.uncompressedSize}`);
      }
    }
    this.checkCrc(entry, data);
    return data;
  }

  /**
   * `length` bytes of an entry's content starting at `start`. Stored entries are read straight
   * from the file (the CRC is checked when the range is the whole entry); deflated ones are inflated.
   */
  readRange(name: string, start: number, length: number): Buffer {
    const entry = this.entry(name);
    if (start < 0 || length < 0 || start + length > entry.uncompressedSize) {
      failIn(this.path, `bytes [${start}, ${start + length}) lie outside entry "${name}" of ${entry.uncompressedSize} bytes`);
    }
    if (entry.method !== 0) return this.readEntry(name).subarray(start, start + length);
    const data = readExactly(this.openFd, length, entry.dataOffset + start, this.path, `entry "${name}"`);
    if (start === 0 && length === entry.uncompressedSize) this.checkCrc(entry, data);
    return data;
  }

  private checkCrc(entry: ZipEntry, data: Uint8Array): void {
    if (crc32 === undefined) return;
    const actual = crc32(data) >>> 0;
    if (actual !== entry.crc32) {
      failIn(
        this.path,
        `entry "${entry.name}" fails its CRC-32 check (0x${actual.toString(16)} != 0x${entry.crc32.toString(16)}; the file is corrupt)`,
      );
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Where the central directory lies and how many entries it holds. */
interface DirectoryLocation {
  count: number;
  size: number;
  offset: number;
  /** The directory must end before this offset (its end record). */
  limit: number;
}

/**
 * Finds the end-of-central-directory record (the last 22 bytes plus a comment of up to 65535
 * bytes), and the zip64 record it points to when its own fields are saturated.
 */
function locateDirectory(fd: number, size: number, file: string): DirectoryLocation {
  if (size < 22) failIn(file, `file is ${size} bytes, too short to be a zip archive`);
  const tailLength = Math.min(size, 22 + 0xffff);
  const tailStart = size - tailLength;
  const tail = readExactly(fd, tailLength, tailStart, file, 'the end of the archive');
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) failIn(file, 'no zip end-of-central-directory record (the archive is truncated or not a zip file)');
  if (tail.readUInt16LE(eocd + 4) !== 0 && tail.readUInt16LE(eocd + 4) !== 0xffff)
    failIn(file, 'multi-disk zip archives are not supported');
  const classic = {
    count: tail.readUInt16LE(eocd + 10),
    size: tail.readUInt32LE(eocd + 12),
    offset: tail.readUInt32LE(eocd + 16),
    limit: tailStart + eocd,
  };
  if (classic.count !== 0xffff && classic.size !== 0xffffffff && classic.offset !== 0xffffffff) return classic;
  const locatorAt = tailStart + eocd - 20;
  if (locatorAt < 0) failIn(file, 'the zip64 end-of-central-directory locator is missing');
  const locator = readExactly(fd, 20, locatorAt, file, 'the zip64 locator');
  if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) failIn(file, 'the zip64 end-of-central-directory locator is missing');
  const recordAt = u64(locator, 8, file, 'zip64 record offset');
  if (recordAt + 56 > locatorAt) failIn(file, `the zip64 end-of-central-directory record offset ${recordAt} is out of range`);
  const record = readExactly(fd, 56, recordAt, file, 'the zip64 end-of-central-directory record');
  if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) failIn(file, 'bad zip64 end-of-central-directory signature');
  return {
    count: u64(record, 32, file, 'zip64 entry count'),
    size: u64(record, 40, file, 'zip64 central directory size'),
    offset: u64(record, 48, file, 'zip64 central directory offset'),
    limit: recordAt,
  };
}

/** A central directory entry as recorded there; the data offset comes from its local header. */
interface CentralEntry extends Omit<ZipEntry, 'dataOffset'> {
  flags: number;
  /** Bytes of the name, which the local header must repeat. */
  nameLength: number;
  localOffset: number;
  /** Where the next entry of the directory starts. */
  next: number;
}

/** Parses and checks the central directory entry `i` starting at `p`, with its zip64 extra field applied. */
function parseCentralEntry(cd: Buffer, p: number, i: number, file: string): CentralEntry {
  if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) failIn(file, `central directory entry ${i} is malformed`);
  const nameLength = cd.readUInt16LE(p + 28);
  const extraLength = cd.readUInt16LE(p + 30);
  const next = p + 46 + nameLength + extraLength + cd.readUInt16LE(p + 32);
  if (next > cd.length) failIn(file, `central directory entry ${i} runs past the directory`);
  const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
  const entry: CentralEntry = {
    name,
    nameLength,
    flags: cd.readUInt16LE(p + 8),
    method: cd.readUInt16LE(p + 10),
    crc32: cd.readUInt32LE(p + 16),
    compressedSize: cd.readUInt32LE(p + 20),
    uncompressedSize: cd.readUInt32LE(p + 24),
    localOffset: cd.readUInt32LE(p + 42),
    next,
  };
  // zip64 extended information: the 8-byte values present are those whose 4-byte field is saturated.
  let e = p + 46 + nameLength;
  const extraEnd = e + extraLength;
  while (e + 4 <= extraEnd) {
    const id = cd.readUInt16LE(e);
    const len = cd.readUInt16LE(e + 2);
    if (e + 4 + len > extraEnd) failIn(file, `entry "${name}" has a malformed extra field`);
    if (id === 0x0001) {
      let q = e + 4;
      const take = (what: string): number => {
        if (q + 8 > e + 4 + len) failIn(file, `entry "${name}" has a short zip64 extra field`);
        const v = u64(cd, q, file, what);
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = take('uncompressed size');
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take('compressed size');
      if (entry.localOffset === 0xffffffff) entry.localOffset = take('local header offset');
    }
    e += 4 + len;
  }
  if ((entry.flags & 1) !== 0) failIn(file, `entry "${name}" is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    failIn(file, `entry "${name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    failIn(file, `stored entry "${name}" has compressed size ${entry.compressedSize} but uncompressed size ${entry.uncompressedSize}`);
  }
  return entry;
}

/** Checks an entry against its local header and the archive bounds; returns where its data starts. */
function locateData(fd: number, entry: CentralEntry, dataEnd: number, file: string): number {
  const { name, nameLength, localOffset } = entry;
  if (localOffset + 30 > dataEnd) failIn(file, `entry "${name}" has its local header at ${localOffset}, past the archive data`);
  const local = readExactly(fd, 30, localOffset, file, `the local header of "${name}"`);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) failIn(file, `entry "${name}" has a bad local header signature`);
  const dataOffset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (
    local.readUInt16LE(26) !== nameLength ||
    readExactly(fd, nameLength, localOffset + 30, file, 'an entry name').toString('utf8') !== name
  ) {
    failIn(file, `entry "${name}": local header and central directory disagree on the name`);
  }
  if (dataOffset + entry.compressedSize > dataEnd) {
    failIn(
      file,
      `entry "${name}" data [${dataOffset}, ${dataOffset + entry.compressedSize}) runs past the archive data (ends at ${dataEnd}; truncated or corrupt)`,
    );
  }
  return dataOffset;
}

function readCentralDirectory(fd: number, size: number, file: string): Map<string, ZipEntry> {
  const dir = locateDirectory(fd, size, file);
  if (dir.offset + dir.size > dir.limit) {
    failIn(
      file,
      `the central directory [${dir.offset}, ${dir.offset + dir.size}) runs past its end record at ${dir.limit} (truncated or corrupt archive)`,
    );
  }
  if (dir.count * 46 > dir.size) failIn(file, `the central directory claims ${dir.count} entries but has only ${dir.size} bytes`);
  const cd = readExactly(fd, dir.size, dir.offset, file, 'the central directory');
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    const entry = parseCentralEntry(cd, p, i, file);
    if (entries.has(entry.name)) failIn(file, `the archive holds entry "${entry.name}" twice`);
    const dataOffset = locateData(fd, entry, dir.offset, file);
    const { name, method, compressedSize, uncompressedSize } = entry;
    entries.set(name, { name, method, compressedSize, uncompressedSize, crc32: entry.crc32, dataOffset });
    p = entry.next;
  }
  return entries;
}
