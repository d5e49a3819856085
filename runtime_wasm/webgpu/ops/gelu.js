// GELU on WebGPU: 0.5 x erfc(-x / sqrt 2), erfc by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); or, with
// `approximate`, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
import { unaryPass } from "./unary.js";

export const int8 = true; // through its table (unary.js)

const ERFC = `fn erfc_(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = p * exp(-a * a);
  return select(r, 2.0 - r, z < 0.0);
}
fn tanh_(x: f32) -> f32 {
  let t = 1.0 - 2.0 / (exp(2.0 * abs(x)) + 1.0);
  return select(t, -t, x < 0.0);
}
`;

export function plan(op, k) {
  const expr = op.options.approximate
    ? "0.5 * x * (1.0 + tanh_(0.7978845608 * (x + 0.044715 * x * x * x)))"
    : "(0.5 * x) * erfc_(x * -0.70710678118654752)";
  return [unaryPass(op, k, expr, ERFC)];
}
