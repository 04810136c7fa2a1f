/**
 * Draws the two Teams app icons as PNGs: `npx tsx scripts/generateTeamsIcons.ts`.
 * teams/color.png (192×192, a white speech bubble on the bank blue) and teams/outline.png
 * (32×32, the same bubble in white on transparent, as Teams requires). Drawn in code so the
 * icons can be rebuilt without an image editor; the PNGs themselves are committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

type Rgba = [number, number, number, number];

const BLUE: Rgba = [0x0b, 0x5f, 0xa5, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG (colour type 6, 8 bits). */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A speech bubble in a unit square: a rounded rectangle with a tail at the bottom left and
 * three dots cut out. Coordinates are fractions so both sizes come from one drawing.
 */
function bubble(x: number, y: number, withDots: boolean): boolean {
  const [left, top, right, bottom, radius] = [0.2, 0.25, 0.8, 0.65, 0.08];
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  const inBody = x >= left && x <= right && y >= top && y <= bottom && (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
  // Tail: the triangle (0.3,0.65) (0.3,0.8) (0.45,0.65).
  const inTail = y >= bottom && x >= 0.3 && y <= 0.8 && (x - 0.3) / 0.15 + (y - bottom) / 0.15 <= 1;
  if (withDots) {
    for (const dx of [0.35, 0.5, 0.65]) if ((x - dx) ** 2 + (y - 0.45) ** 2 <= 0.045 ** 2) return false;
  }
  return inBody || inTail;
}

/** Draws `size`×`size` pixels, sampling each pixel 4×4 times so the edges are smooth. */
function draw(size: number, background: Rgba, foreground: Rgba, withDots: boolean): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy += 1) for (let sx = 0; sx < 4; sx += 1) {
        if (bubble((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size, withDots)) hits += 1;
      }
      const f = hits / 16;
      const color: Rgba = background[3] === 0
        // Outline icon: pure white, coverage in alpha (Teams requires white on transparent).
        ? [foreground[0], foreground[1], foreground[2], Math.round(255 * f)]
        : [0, 1, 2].map((i) => Math.round(background[i] * (1 - f) + foreground[i] * f)).concat(255) as Rgba;
      pixels.set(f === 0 ? background : color, (py * size + px) * 4);
    }
  }
  return pixels;
}

/** Writes teams/color.png and teams/outline.png. */
export function writeTeamsIcons(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'color.png'), encodePng(192, 192, draw(192, BLUE, WHITE, true)));
  fs.writeFileSync(path.join(dir, 'outline.png'), encodePng(32, 32, draw(32, CLEAR, WHITE, false)));
}

if (require.main === module) writeTeamsIcons(path.join(__dirname, '..', 'teams'));
