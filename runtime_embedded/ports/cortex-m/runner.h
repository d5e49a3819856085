/* The Cortex-M runner firmware's compiled-in work (a generated C file defines these; see tensorlet/native.py):
 * jobs of one model and N samples each, run in order, outputs written to a host file over semihosting.
 *
 * Records in the output file (little-endian uint32 words, byte strings unpadded):
 *   per job:    'TLJB' status step arena_bytes detail_len detail[detail_len]
 *               if status == 0, per sample: status; then the outputs' bytes (status 0) or detail_len detail
 *               (the job stops at a failing sample)
 *               'TLJE' samples_done ticks_lo ticks_hi          (SysTick ticks spent in tl_model_invoke)
 *   at the end: 'TLEN' calibration_iterations calibration_ticks stack_used free_ram
 * step: 1 load, 2 bind, 3 set_input, 4 invoke. Exit status 0 once every record is written (failing jobs included),
 * 64 when the host file cannot be written, 100 + N on an unexpected exception N.
 */
#ifndef TL_RUNNER_H
#define TL_RUNNER_H

#include <stdint.h>

typedef struct tl_runner_job {
    const uint8_t *model;  /* the .tlet file, 16-byte aligned */
    uint32_t model_size;
    const uint8_t *inputs; /* samples x (the model inputs' bytes, concatenated in input order) */
    uint32_t sample_bytes;
    uint32_t samples;
    uint32_t repeat; /* invokes per sample (>= 1): benchmarks time several */
} tl_runner_job;

extern const tl_runner_job tl_runner_jobs[];
extern const uint32_t tl_runner_job_count;
extern const char tl_runner_output_path[]; /* host file for the records, relative to QEMU's working directory */
extern const uint32_t tl_runner_calibration_iterations; /* 0: skip the SysTick calibration loop */

#define TL_RUNNER_MAGIC(a, b, c, d) \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

#endif /* TL_RUNNER_H */
