// Pieces shared by the int8 kernels (TFLite's integer semantics, exact in 32-bit WGSL: see wgsl.js REQUANT_FNS).

/** Zero point of a per-tensor quantized tensor. */
export function zeroPoint(t) {
  return t.zeroPoints[0] ?? 0;
}

/** WGSL requantizing int32 `acc` of output channel `channel` to int8: MultiplyByQuantizedMultiplier by the op's
 * output_multiplier/output_shift (one per channel, or one for all), + the output zero point, clamped to
 * [act_min, act_max]. The multipliers go to the weights buffer (k.table). */
export function requantize(op, k, acc, channel) {
  const { output_multiplier: m, output_shift: s, act_min: lo, act_max: hi } = op.qp;
  const mAt = k.table(m, true);
  const sAt = k.table(s, true);
  const c = m.length > 1 ? channel : "0u";
  return `to_int8(mbqm(${acc}, bitcast<i32>(weights[${mAt}u + ${c}]), bitcast<i32>(weights[${sAt}u + ${c}])), `
    + `${zeroPoint(op.outs[0])}i, ${lo}i, ${hi}i)`;
}
