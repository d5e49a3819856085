// NumPy .npy files (format 1.0-3.0, C order, little-endian or single-byte dtypes) as typed arrays.

const DESCRS = {
  "<f4": Float32Array, "<f8": Float64Array, "|i1": Int8Array, "|u1": Uint8Array, "<i2": Int16Array,
  "<i4": Int32Array, "<f2": Uint16Array, "<i8": BigInt64Array,
};

/** Parse .npy bytes: { dtype ("<f4", "|i1", ...), shape, data: a typed array }; throws Error saying what is wrong. */
export function parseNpy(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new Error("not an .npy file (no \\x93NUMPY magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  if (start > bytes.length) throw new Error("truncated .npy header");
  const header = new TextDecoder().decode(bytes.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr == null || fortran == null || shapeText == null) {
    throw new Error(`unreadable .npy header: ${header.trim()}`);
  }
  if (fortran === "True") throw new Error(".npy in Fortran order is not supported: save a C-order array");
  const type = DESCRS[descr === "<u1" || descr === "<i1" ? `|${descr.slice(1)}` : descr];
  if (!type) throw new Error(`.npy dtype ${descr} is not supported (float32/64, int8, uint8, int16, int32, float16)`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (start + count * type.BYTES_PER_ELEMENT > bytes.length) {
    throw new Error(`truncated .npy data: shape [${shape}] needs ${count * type.BYTES_PER_ELEMENT} bytes`);
  }
  const data = new type(bytes.slice(start, start + count * type.BYTES_PER_ELEMENT).buffer);
  return { dtype: descr, shape, data };
}
