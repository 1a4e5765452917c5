/**
 * Writes resources/icon.png (256×256): a small three-layer network on a rounded dark tile. Drawn per pixel with
 * signed distances and encoded with zlib, so the icon needs no image tools or downloads. Run: node resources/make-icon.mjs
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 256;
const layers = [[88, 168], [64, 128, 192], [128]].map((ys, i) => ys.map((y) => [60 + i * 68, y]));
const nodes = layers.flat();
const edges = layers.slice(1).flatMap((layer, i) => layer.flatMap((b) => layers[i].map((a) => [a, b])));

const clamp = (v) => Math.max(0, Math.min(1, v));
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

function segmentDistance(px, py, [[ax, ay], [bx, by]]) {
  const dx = bx - ax, dy = by - ay;
  const t = clamp(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function roundedRectDistance(px, py, inset, radius) {
  const half = SIZE / 2 - inset;
  const qx = Math.abs(px - SIZE / 2) - half + radius;
  const qy = Math.abs(py - SIZE / 2) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function pixel(x, y) {
  const px = x + 0.5, py = y + 0.5;
  const tile = clamp(0.5 - roundedRectDistance(px, py, 8, 48));
  let rgb = mix([24, 32, 48], [16, 20, 28], py / SIZE);
  const edge = Math.min(...edges.map((e) => segmentDistance(px, py, e)));
  rgb = mix(rgb, [90, 140, 220], clamp(3 - edge) * 0.8);
  for (const [i, [cx, cy]] of nodes.entries()) {
    const d = Math.hypot(px - cx, py - cy);
    const fill = i >= nodes.length - 1 ? [255, 170, 60] : [120, 200, 255];
    rgb = mix(rgb, [240, 246, 255], clamp(17 - d));
    rgb = mix(rgb, fill, clamp(14 - d));
  }
  return [...rgb.map(Math.round), Math.round(255 * tile)];
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(raw, y * (SIZE * 4 + 1) + 1 + x * 4);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`wrote resources/icon.png (${png.length} bytes)`);
