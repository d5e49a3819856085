// SOFTMAX over the last axis on WebGPU: exp(beta (x - max)) / sum, one thread per row.
// Int8 as TFLite's reference (bit for bit): x - max takes 256 values, so the Q5.26 rescaled diffs, their gemmlowp
// exps (Q0.31) and Q12.19 terms are tables computed at load (fixedpoint.js); per row, a first pass sums the terms
// and takes the reciprocal of the sum (GetReciprocal: Newton-Raphson in Q2.29) into scratch words, a second maps
// each value to RDBPOT(SRDHM(reciprocal, exp), n + 23) - 128, clamped (-128 where diff < diff_min).
import { f, int8Pass, perItem, u } from "../wgsl.js";
import { FIXEDPOINT_WGSL, diffTables } from "./fixedpoint.js";
import { rowLength, rowPass } from "./rows.js";

export const int8 = true;

export function lacking(op) {
  return op.ins[0].dtype === "int8" && rowLength(op) > 511
    ? "int8 SOFTMAX over more than 511 classes runs in wasm (TFLite's kernel rejects sums of exps reaching 512)" : "";
}

function planInt8(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const C = rowLength(op);
  const rows = x.elements / C;
  const { exps, terms } = diffTables(op.qp);
  const expAt = k.table(exps, true);
  const termAt = k.table(terms, true);
  const scratch = k.scratch(3 * rows);
  const sums = perItem(rows, `let base = i * ${u(C)};
  var m = -128i;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { m = max(m, in_x(base + c)); }
  var s = 0i;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { s = s + bitcast<i32>(weights[${u(termAt)} + u32(m - in_x(base + c))]); }
  let headroom = countLeadingZeros(u32(s));
  arena[${u(scratch)} + 3u * i] = bitcast<u32>(m);
  arena[${u(scratch)} + 3u * i + 1u] = bitcast<u32>(one_over_one_plus_x(i32((u32(s) << headroom) - 0x80000000u)));
  arena[${u(scratch)} + 3u * i + 2u] = 12u - headroom + 23u;`, FIXEDPOINT_WGSL + k.loadInt(x, "in_x"));
  const outputs = int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  let row = e / ${u(C)};
  let m = bitcast<i32>(arena[${u(scratch)} + 3u * row]);
  let e_q31 = bitcast<i32>(weights[${u(expAt)} + u32(m - in_x(e))]);
  if (e_q31 < 0i) { return -128i; }
  let reciprocal = bitcast<i32>(arena[${u(scratch)} + 3u * row + 1u]);
  let unsaturated = rdbpot(srdhm(reciprocal, e_q31), arena[${u(scratch)} + 3u * row + 2u]);
  return clamp(unsaturated - 128i, -128i, 127i);
}
`);
  return [sums, outputs];
}

export function plan(op, k) {
  if (op.ins[0].dtype === "int8") return planInt8(op, k);
  const C = u(rowLength(op));
  return [rowPass(op, k, `
  var m = in_x(base);
  for (var c = 1u; c < ${C}; c = c + 1u) { m = max(m, in_x(base + c)); }
  var s = 0.0;
  for (var c = 0u; c < ${C}; c = c + 1u) { s = s + exp(${f(op.options.beta)} * (in_x(base + c) - m)); }
  for (var c = 0u; c < ${C}; c = c + 1u) { out_y(base + c, exp(${f(op.options.beta)} * (in_x(base + c) - m)) / s); }`)];
}
