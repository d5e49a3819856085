// MNIST's preprocessing of a drawing: the ink's bounding box scaled (aspect kept) to fit 20x20 with area
// averaging, then placed in a 28x28 field so that its centre of mass is at the field's centre.

export const SIZE = 28;
const BOX = 20;

/** ink: Uint8ClampedArray of w*h ink levels (0 = paper) -> Float32Array(784) of 0..255 ink, or null when blank. */
export function mnistPixels(ink, w, h) {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)), th = Math.max(1, Math.round(bh * scale));
  const small = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const sy0 = y0 + Math.floor(ty / scale);
    const sy1 = Math.max(sy0 + 1, Math.min(y1 + 1, y0 + Math.floor((ty + 1) / scale)));
    for (let tx = 0; tx < tw; tx++) {
      const sx0 = x0 + Math.floor(tx / scale);
      const sx1 = Math.max(sx0 + 1, Math.min(x1 + 1, x0 + Math.floor((tx + 1) / scale)));
      let sum = 0;
      for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += ink[sy * w + sx];
      small[ty * tw + tx] = sum / ((sy1 - sy0) * (sx1 - sx0));
    }
  }
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x];
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  const dx = Math.round((SIZE - 1) / 2 - cx / mass), dy = Math.round((SIZE - 1) / 2 - cy / mass);
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < th; y++) {
    const oy = y + dy;
    if (oy < 0 || oy >= SIZE) continue;
    for (let x = 0; x < tw; x++) {
      const ox = x + dx;
      if (ox >= 0 && ox < SIZE) out[oy * SIZE + ox] = small[y * tw + x];
    }
  }
  return out;
}

/** The model's input (a Float32Array) from 0..255 pixels and its preprocessing: x' = (x * scale - mean) / std. */
export function normalize(pixels, preprocessing) {
  const scale = preprocessing?.scale ?? 1 / 255;
  const mean = preprocessing?.mean?.[0] ?? 0;
  const std = preprocessing?.std?.[0] ?? 1;
  return pixels.map((p) => (p * scale - mean) / std);
}
