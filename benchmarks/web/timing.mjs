// The timing loop every runtime goes through (in the main thread, or in tfjs-tflite's worker thread).
//
// A warm-up (at least warmMs and minWarm runs: long enough for V8 to tier the wasm up to TurboFan and for the
// runtimes' lazy first-run work), then runs timed one by one with performance.now() for at least timeMs and
// minRuns, at most maxRuns. Every run is awaited, whether the runtime's API is synchronous or not.

export const DEFAULT_TIMING = { warmMs: 300, minWarm: 20, timeMs: 400, minRuns: 30, maxRuns: 3000 };

export async function measure(run, options = {}) {
  const o = { ...DEFAULT_TIMING, ...options };
  const warmUntil = performance.now() + o.warmMs;
  for (let i = 0; i < o.minWarm || performance.now() < warmUntil; i++) await run();
  const times = [];
  const until = performance.now() + o.timeMs;
  while ((times.length < o.minRuns || performance.now() < until) && times.length < o.maxRuns) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times;
}

export function summarize(times) {
  const sorted = Float64Array.from(times).sort();
  const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median_ms: median, p10_ms: q(0.1), p90_ms: q(0.9), min_ms: sorted[0], runs: sorted.length };
}
