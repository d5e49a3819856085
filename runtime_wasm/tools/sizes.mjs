// Raw, gzip -9 and brotli -11 sizes of the given files (node tools/sizes.mjs FILE...).
import { readFileSync } from "node:fs";
import { constants, brotliCompressSync, gzipSync } from "node:zlib";

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`${file.padEnd(28)} raw ${bytes.length}  gzip ${gzip}  brotli ${brotli}`);
}
