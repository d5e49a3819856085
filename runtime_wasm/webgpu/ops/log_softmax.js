// LOG_SOFTMAX over the last axis on WebGPU: z - log(sum exp z) with z = beta (x - max), one thread per row.
// Int8 as TFLite's reference (bit for bit): the scaled diffs and their Q12.19 exps are tables of the 256 possible
// diffs (fixedpoint.js); per row, a first pass sums the exps and takes gemmlowp's log of the sum (Q5.26, TFLite's
// log_x_for_x_greater_than_or_equal_to_1) and the adjusted diff_min into scratch words; a second maps each value
// to RDBPOT(scaled_diff - log_sum, 22) + 127, clamped (-128 at or below the adjusted diff_min).
import { f, i, int8Pass, perItem, u } from "../wgsl.js";
import { FIXEDPOINT_WGSL, diffTables } from "./fixedpoint.js";
import { rowLength, rowPass } from "./rows.js";

export const int8 = true;

export function lacking(op) {
  return op.ins[0].dtype === "int8" && rowLength(op) >= 4096
    ? "int8 LOG_SOFTMAX over 4096 or more classes runs in wasm (the sum of exps overflows TFLite's accumulator)" : "";
}

// log(x) of a Q12.19 x >= 1 as Q5.26 (accumulating with 6 integer bits), TFLite's Pade-like approximation.
const LOG_WGSL = `fn saturating_add(a: i32, b: i32) -> i32 {
  let s = a + b;
  if (a >= 0i && b >= 0i && s < 0i) { return 0x7FFFFFFFi; }
  if (a < 0i && b < 0i && s >= 0i) { return bitcast<i32>(0x80000000u); }
  return s;
}
fn log_q12_to_q5(x: i32) -> i32 {
  let shifted_quarter = 8388608i; // 1/4 in Q6.25
  let za_headroom = i32(countLeadingZeros(u32(x)));
  let ra = srmpot(srdhm(srmpot(x, za_headroom - 1i), 1518500250i), 1i);
  let za_adj = saturating_add(srmpot(12i - za_headroom, 25i), shifted_quarter);
  let zb = srdhm(x, 1518500250i);
  let zb_headroom = i32(countLeadingZeros(u32(zb))) - 1i;
  let rb = srmpot(x, zb_headroom);
  let zb_adj = saturating_add(srmpot(12i - zb_headroom, 25i), -shifted_quarter);
  let r = min(ra, rb);
  let z_adj = max(za_adj, zb_adj);
  let p = rounding_half_sum(r, 1805811301i);
  let q0 = r - 1805811301i;
  let q = q0 + q0;
  let common_sq = srdhm(q, q);
  let num = srdhm(q, r) + srdhm(srdhm(q, common_sq), 117049297i);
  let denom_minus_one = srdhm(p, 1057819769i + q + srdhm(127690142i, common_sq)) + srdhm(638450708i, q);
  let recip_denom = one_over_one_plus_x(denom_minus_one);
  let num_scaled = srmpot(num, -6i);
  return srmpot(srdhm(z_adj, 1488522236i) + srdhm(num_scaled, recip_denom), 1i);
}
`;

function planInt8(op, k) {
  const x = op.ins[0];
  const y = op.outs[0];
  const C = rowLength(op);
  const rows = x.elements / C;
  const { scaled, terms } = diffTables(op.qp);
  const scaledAt = k.table(scaled, true);
  const termAt = k.table(terms, true);
  const scratch = k.scratch(3 * rows);
  const { output_multiplier: [divisor], output_shift: [shift], diff_min: diffMin } = op.qp;
  const sums = perItem(rows, `let base = i * ${u(C)};
  var m = -128i;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { m = max(m, in_x(base + c)); }
  var s = 0i;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { s = s + bitcast<i32>(weights[${u(termAt)} + u32(m - in_x(base + c))]); }
  let log_sum = log_q12_to_q5(s);
  let reverse = mbqm(log_sum + bitcast<i32>(0x80000000u), ${i(divisor)}, ${i(shift)});
  arena[${u(scratch)} + 3u * i] = bitcast<u32>(m);
  arena[${u(scratch)} + 3u * i + 1u] = bitcast<u32>(log_sum);
  arena[${u(scratch)} + 3u * i + 2u] = bitcast<u32>(max(${i(diffMin - 1)}, reverse));`,
  FIXEDPOINT_WGSL + LOG_WGSL + k.loadInt(x, "in_x"));
  const outputs = int8Pass(y.elements, k.word(y), `${k.loadInt(x, "in_x")}fn value(e: u32) -> i32 {
  let row = e / ${u(C)};
  let d = bitcast<i32>(arena[${u(scratch)} + 3u * row]) - in_x(e);
  if (-d <= bitcast<i32>(arena[${u(scratch)} + 3u * row + 2u])) { return -128i; }
  let log_sum = bitcast<i32>(arena[${u(scratch)} + 3u * row + 1u]);
  let v = rdbpot(bitcast<i32>(weights[${u(scaledAt)} + u32(d)]) - log_sum, 22u) + 127i;
  return clamp(v, -128i, 127i);
}
`);
  return [sums, outputs];
}

export function plan(op, k) {
  if (op.ins[0].dtype === "int8") return planInt8(op, k);
  const C = u(rowLength(op));
  const beta = f(op.options.beta);
  return [rowPass(op, k, `
  var m = in_x(base);
  for (var c = 1u; c < ${C}; c = c + 1u) { m = max(m, in_x(base + c)); }
  var s = 0.0;
  for (var c = 0u; c < ${C}; c = c + 1u) { s = s + exp(${beta} * (in_x(base + c) - m)); }
  let l = log(s);
  for (var c = 0u; c < ${C}; c = c + 1u) { out_y(base + c, ${beta} * (in_x(base + c) - m) - l); }`)];
}
