// LAYER_NORM over the last axis on WebGPU: (x - mean) / sqrt(var + epsilon) * gamma + beta, one thread per row.
// in [..,C], gamma [C], beta (opt) [C] -> out [..,C].
import { f, u } from "../wgsl.js";
import { rowLength, rowPass } from "./rows.js";

export function plan(op, k) {
  const C = rowLength(op);
  const [, gamma, beta] = op.ins;
  return [rowPass(op, k, `
  var s = 0.0;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { s = s + in_x(base + c); }
  let mean = s / ${f(C)};
  var q = 0.0;
  for (var c = 0u; c < ${u(C)}; c = c + 1u) { let d = in_x(base + c) - mean; q = q + d * d; }
  let inv = 1.0 / sqrt(q / ${f(C)} + ${f(op.options.epsilon)});
  for (var c = 0u; c < ${u(C)}; c = c + 1u) {
    out_y(base + c, (in_x(base + c) - mean) * inv * in_gamma(c)${beta ? " + in_beta(c)" : ""});
  }`, k.load(gamma, "in_gamma") + (beta ? k.load(beta, "in_beta") : ""))];
}
