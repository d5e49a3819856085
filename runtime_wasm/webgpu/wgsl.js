// WGSL building blocks shared by the op kernels of runtime_wasm/webgpu/ops/.
//
// Every shader sees the same two bindings, both arrays of 32-bit words read through bitcast so every bit pattern
// survives: the arena (the file's memory plan: activations at their arena offsets, float32 one per word, int8 four
// per word; past the plan, scratch words for int8 matrix products) and the weights (constants, int8 widened to one
// per word, and the tables kernels precompute at load). Shapes, strides and offsets are baked into each shader as
// constants: a pipeline is made once per operator at load.

export const HEADER = `@group(0) @binding(0) var<storage, read_write> arena: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
`;

const WORKGROUP = 64;
const MAX_GROUPS = 65535;

/** A u32 literal. */
export function u(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not a u32: ${n}`);
  return `${n}u`;
}

/** An i32 literal. */
export function i(n) {
  if (!Number.isInteger(n)) throw new Error(`not an i32: ${n}`);
  return n < 0 ? `(${n}i)` : `${n}i`;
}

/** A f32 literal that reads back as exactly the float32 `x` (finite). */
export function f(x) {
  const v = Math.fround(x);
  if (!Number.isFinite(v)) throw new Error(`not a finite float32: ${x}`);
  let text = v.toPrecision(9);
  if (!/[.e]/.test(text)) text += ".0";
  return `f32(${text})`;
}

/** WGSL of a fused activation (schema Activation) applied to `v`; NaN stays NaN. */
export function activation(kind, v) {
  if (kind === 1) return `select(${v}, 0.0, ${v} < 0.0)`;
  if (kind === 2) return `min_keep_nan(select(${v}, 0.0, ${v} < 0.0), 6.0)`;
  return v;
}

export const ACTIVATION_FNS = `fn min_keep_nan(v: f32, hi: f32) -> f32 { return select(v, hi, v > hi); }
`;

// TFLite's integer requantization, exact in 32-bit WGSL: MultiplyByQuantizedMultiplier(x, m, shift) = RDBPOT(
// SRDHM(x << max(shift, 0), m), max(-shift, 0)), the 64-bit product of SRDHM in 16-bit limbs.
export const REQUANT_FNS = `fn srdhm(a: i32, b: i32) -> i32 {
  let lowest = bitcast<i32>(0x80000000u);
  if (a == lowest && b == lowest) { return 0x7FFFFFFFi; }
  let negative = (a < 0i) != (b < 0i);
  let ua = select(u32(a), 0u - u32(a), a < 0i);
  let ub = select(u32(b), 0u - u32(b), b < 0i);
  let a0 = ua & 0xFFFFu; let a1 = ua >> 16u; let b0 = ub & 0xFFFFu; let b1 = ub >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = p01 + p10;
  let mid_carry = select(0u, 0x10000u, mid < p01);
  let lo = p00 + (mid << 16u);
  let lo_carry = select(0u, 1u, lo < p00);
  let hi = p11 + (mid >> 16u) + mid_carry + lo_carry;
  let lo2 = lo + select(0x40000000u, 0x3FFFFFFFu, negative);
  let hi2 = hi + select(0u, 1u, lo2 < lo);
  let q = (hi2 << 1u) | (lo2 >> 31u);
  return select(i32(q), -i32(q), negative);
}
fn rdbpot(x: i32, e: u32) -> i32 {
  if (e == 0u) { return x; }
  let mask = (1u << e) - 1u;
  let remainder = u32(x) & mask;
  let threshold = (mask >> 1u) + select(0u, 1u, x < 0i);
  return (x >> e) + select(0i, 1i, remainder > threshold);
}
fn mbqm(x: i32, m: i32, shift: i32) -> i32 {
  return rdbpot(srdhm(x << u32(max(shift, 0i)), m), u32(max(-shift, 0i)));
}
// v + zero_point clamped to [lo, hi] (without overflowing near the int32 ends).
fn to_int8(v: i32, zero_point: i32, lo: i32, hi: i32) -> i32 {
  return clamp(v, lo - zero_point, hi - zero_point) + zero_point;
}
`;

/** Row-major strides of a shape. */
export function strides(shape) {
  const out = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
}

/** A one-thread-per-item pass over `n` items: `body` runs with `let i: u32` the item; `decls` are module-scope. */
export function perItem(n, body, decls = "") {
  const groups = Math.max(1, Math.ceil(n / WORKGROUP));
  const gx = Math.min(groups, MAX_GROUPS);
  const gy = Math.ceil(groups / gx);
  const code = `${decls}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * ${u(gx * WORKGROUP)};
  if (i >= ${u(n)}) { return; }
  ${body}
}`;
  return { code, groups: [gx, gy, 1] };
}

/** An int8 output of `n` elements written a word (4 values) per thread: `decls` defines fn value(e: u32) -> i32,
 * output element e (in [-128, 127]); `word` is the output's first word in the arena. */
export function int8Pass(n, word, decls) {
  return perItem(Math.ceil(n / 4), `var packed = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = i * 4u + j;
    if (e < ${u(n)}) { packed = packed | ((u32(value(e)) & 0xFFu) << (8u * j)); }
  }
  arena[${u(word)} + i] = packed;`, decls);
}

/** A tiled matrix product C[M,N] = A[M,K] . B[K,N] in workgroup memory: 32x32 tiles of C per 8x8 workgroup, each
 * thread a 4x4 block, K in steps of 16. `decls` defines fn loadA(m: u32, k: u32) -> T, fn loadB(k: u32, n: u32)
 * -> T (called inside the bounds only) and fn emit(m: u32, n: u32, v: T) (the epilogue: bias, activation,
 * store); T is f32, or i32 (sums wrap modulo 2^32, as the int8 kernels' int32 accumulators). */
export function gemm(M, N, K, decls, type = "f32") {
  const zero = type === "f32" ? "0.0" : "0i";
  const code = `${decls}
var<workgroup> tileA: array<${type}, 512>; // [32][16]
var<workgroup> tileB: array<${type}, 512>; // [16][32]
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.y * 8u + lid.x;
  let m0 = wid.y * 32u;
  let n0 = wid.x * 32u;
  var acc: array<vec4<${type}>, 4>;
  for (var k0 = 0u; k0 < ${u(K)}; k0 = k0 + 16u) {
    for (var e = 0u; e < 8u; e = e + 1u) {
      let idx = t + e * 64u;
      let am = m0 + idx / 16u;
      let ak = k0 + idx % 16u;
      var a = ${zero};
      if (am < ${u(M)} && ak < ${u(K)}) { a = loadA(am, ak); }
      tileA[idx] = a;
      let bk = k0 + idx / 32u;
      let bn = n0 + idx % 32u;
      var b = ${zero};
      if (bk < ${u(K)} && bn < ${u(N)}) { b = loadB(bk, bn); }
      tileB[idx] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let b = vec4<${type}>(tileB[kk * 32u + lid.x * 4u], tileB[kk * 32u + lid.x * 4u + 1u],
                        tileB[kk * 32u + lid.x * 4u + 2u], tileB[kk * 32u + lid.x * 4u + 3u]);
      for (var r = 0u; r < 4u; r = r + 1u) {
        acc[r] = acc[r] + tileA[(lid.y * 4u + r) * 16u + kk] * b;
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r = r + 1u) {
    let m = m0 + lid.y * 4u + r;
    for (var c = 0u; c < 4u; c = c + 1u) {
      let n = n0 + lid.x * 4u + c;
      if (m < ${u(M)} && n < ${u(N)}) { emit(m, n, acc[r][c]); }
    }
  }
}`;
  return { code, groups: [Math.ceil(N / 32), Math.ceil(M / 32), 1] };
}
