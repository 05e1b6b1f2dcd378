/**
 * Adds a text chunk to a PNG, right after IHDR, the way the AUTOMATIC1111 web UI stores its
 * `parameters`: `tEXt` when the text is Latin-1 (PNG's rule for tEXt), otherwise an uncompressed
 * UTF-8 `iTXt`. sharp writes no text chunks, so the chunk is spliced into its output.
 */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_END = 8 + 4 + 4 + 13 + 4;

export function addPngTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG that starts with IHDR');
  }
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error('PNG text keywords are 1 to 79 printable Latin-1 characters');
  const latin1 = [...text].every((c) => c !== '\0' && (c.codePointAt(0) as number) <= 0xff);
  const data = latin1
    ? Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])
    : // keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text
      Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([png.subarray(0, IHDR_END), chunk(latin1 ? 'tEXt' : 'iTXt', data), png.subarray(IHDR_END)]);
}

/** Every tEXt / iTXt chunk's keyword and text, for reading images back. */
export function readPngTextChunks(png: Buffer): Map<string, string> {
  const texts = new Map<string, string>();
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul > 0) texts.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
    if (type === 'iTXt' && nul > 0) {
      const language = data.indexOf(0, nul + 3);
      const translated = data.indexOf(0, language + 1);
      if (data[nul + 1] === 0 && language > 0 && translated > 0) texts.set(data.toString('latin1', 0, nul), data.toString('utf8', translated + 1));
    }
    at += 12 + length;
  }
  return texts;
}

function chunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])), 0);
  return Buffer.concat([header, data, crc]);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** PNG's CRC-32 (ISO 3309), over chunk type and data. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
