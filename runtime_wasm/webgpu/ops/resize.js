// Source positions of RESIZE_NEAREST and RESIZE_BILINEAR along one axis, computed at load in float32 exactly as
// the reference (TFLite) does, so the GPU only gathers.
const f32 = Math.fround;

/** TFLite's float32 source/destination ratio of one axis. */
function floatScale(inSize, outSize, alignCorners) {
  if (alignCorners && outSize > 1) return f32(f32(inSize - 1) / f32(outSize - 1));
  return f32(f32(inSize) / f32(outSize));
}

/** [outSize] source indices of RESIZE_NEAREST. */
export function nearestIndices(inSize, outSize, o) {
  const scale = floatScale(inSize, outSize, o.align_corners);
  const offset = o.half_pixel_centers ? 0.5 : 0;
  return Array.from({ length: outSize }, (_, i) => {
    const position = f32(f32(i + offset) * scale);
    const index = o.align_corners ? Math.sign(position) * Math.floor(Math.abs(position) + 0.5) : Math.floor(position);
    const clamped = Math.min(index, inSize - 1);
    return o.half_pixel_centers ? Math.max(clamped, 0) : clamped;
  });
}

/** [outSize] (float32 position, lower tap, upper tap) of RESIZE_BILINEAR. */
export function bilinearTaps(inSize, outSize, o) {
  const scale = floatScale(inSize, outSize, o.align_corners);
  return Array.from({ length: outSize }, (_, i) => {
    const position = o.half_pixel_centers ? f32(f32(f32(i + 0.5) * scale) - 0.5) : f32(i * scale);
    return [position, Math.max(Math.floor(position), 0), Math.min(Math.ceil(position), inSize - 1)];
  });
}

/** [outSize] (source position with 10 fractional bits, lower tap, upper tap) of int8 RESIZE_BILINEAR (TFLite's
 * ResizeBilinearInteger: the ratio rounded to nearest, C's truncating division). */
export function bilinearTapsInt(inSize, outSize, o) {
  const scale = o.align_corners && outSize > 1
    ? Math.floor((1024 * (inSize - 1) + Math.floor((outSize - 1) / 2)) / (outSize - 1))
    : Math.floor((1024 * inSize + Math.floor(outSize / 2)) / outSize);
  return Array.from({ length: outSize }, (_, i) => {
    const position = i * scale + (o.half_pixel_centers ? Math.floor(scale / 2) - 512 : 0);
    return [position, Math.max(Math.trunc(position / 1024), 0), Math.min(Math.trunc((position + 1023) / 1024),
      inSize - 1)];
  });
}
