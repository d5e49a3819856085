// The broadcasting walk shared by ADD, SUB and MUL: one thread per output element, each input read at its numpy
// broadcast position (dims of size 1 repeat), `expr` of a and b, then the fused activation. Int8 ADD/SUB as
// TFLite: each input (q - zp) << 20 rescaled by its input multiplier, summed (or subtracted), rescaled by the
// output multiplier, + the output zero point, clamped to [act_min, act_max]; int8 MUL rescales the product.
import { activation, i, int8Pass, perItem, strides, u } from "../wgsl.js";
import { zeroPoint } from "./int8.js";

// WGSL adding (coordinate d of the output) x (t's stride along it, 0 where t broadcasts) for each dim.
function offsetOf(t, outShape, name) {
  const rank = outShape.length;
  const shape = [...new Array(rank - t.shape.length).fill(1), ...t.shape];
  const st = strides(shape);
  const terms = shape.map((d, k) => (d === 1 ? null : `c${k} * ${u(st[k])}`)).filter(Boolean);
  return `let ${name} = ${terms.length ? terms.join(" + ") : "0u"};`;
}

// WGSL: the output coordinates of element `e` and the inputs' broadcast offsets ia, ib.
function positions(op, e) {
  const [a, b] = op.ins;
  const shape = op.outs[0].shape;
  const st = strides(shape);
  const coords = shape.map((d, n) => `let c${n} = (${e} / ${u(st[n])}) % ${u(d)};`).join("\n  ");
  return `${coords}\n  ${offsetOf(a, shape, "ia")}\n  ${offsetOf(b, shape, "ib")}`;
}

/** Int8 ADD ("+"), SUB ("-") or MUL ("*": the product (a - a_zp) (b - b_zp) rescaled by the output multiplier). */
export function binaryInt8Pass(op, k, operator) {
  const [a, b] = op.ins;
  const y = op.outs[0];
  const p = op.qp;
  const rescale = (t, n, name) => `mbqm((in_${name}(i${name}) - ${i(zeroPoint(t))}) << 20u, `
    + `${i(p.input_multiplier[n])}, ${i(p.input_shift[n])})`;
  const raw = operator === "*" ? `(in_a(ia) - ${i(zeroPoint(a))}) * (in_b(ib) - ${i(zeroPoint(b))})`
    : `${rescale(a, 0, "a")} ${operator} ${rescale(b, 1, "b")}`;
  return int8Pass(y.elements, k.word(y), `${k.loadInt(a, "in_a")}${k.loadInt(b, "in_b")}fn value(e: u32) -> i32 {
  ${positions(op, "e")}
  let raw = ${raw};
  return to_int8(mbqm(raw, ${i(p.output_multiplier[0])}, ${i(p.output_shift[0])}), ${i(zeroPoint(y))}, `
    + `${i(p.act_min)}, ${i(p.act_max)});
}
`);
}

export function binaryPass(op, k, expr) {
  const [a, b] = op.ins;
  const y = op.outs[0];
  return perItem(y.elements, `
  ${positions(op, "i")}
  let a = in_a(ia);
  let b = in_b(ib);
  let v = ${expr};
  out_y(i, ${activation(op.options.activation, "v")});`, k.load(a, "in_a") + k.load(b, "in_b") + k.store(y, "out_y"));
}
