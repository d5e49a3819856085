/* The Cortex-M runner firmware: runs the compiled-in jobs (runner.h) with the Tensorlet runtime and writes every
 * output to a host file over semihosting. The arena is all the RAM the program does not otherwise use. */
#include "board.h"
#include "runner.h"
#include "semihost.h"
#include "tensorlet.h"

#define EXIT_RUNNER 64

enum { STEP_NONE = 0, STEP_LOAD = 1, STEP_BIND = 2, STEP_SET_INPUT = 3, STEP_INVOKE = 4 };

static tl_model model;
static int32_t out_file = -1;
static int write_failed;

static void put(const void *data, uint32_t size)
{
    if (size != 0u && !write_failed && tl_sh_write(out_file, data, size) != 0) {
        write_failed = 1;
    }
}

static void put_words(const uint32_t *words, uint32_t count)
{
    put(words, count * 4u);
}

static uint32_t text_length(const char *text)
{
    uint32_t n = 0;
    while (text[n] != '\0') {
        n++;
    }
    return n;
}

static void report_failure(uint32_t job, uint32_t step, tl_status status)
{
    static const char *const steps[] = {"", "load", "bind", "set_input", "invoke"};
    tl_sh_puts("tensorlet runner: job ");
    tl_sh_put_u32(job);
    tl_sh_puts(" ");
    tl_sh_puts(steps[step]);
    tl_sh_puts(": ");
    tl_sh_puts(tl_status_string(status));
    tl_sh_puts(": ");
    tl_sh_puts(tl_model_detail(&model));
    tl_sh_puts("\n");
}

/* Load and bind one job's model; returns the step that failed (STEP_NONE when bound). */
static uint32_t prepare(const tl_runner_job *job, uint8_t *arena, size_t arena_size, tl_status *status)
{
    *status = tl_model_load(&model, job->model, job->model_size);
    if (*status != TL_OK) {
        return STEP_LOAD;
    }
    *status = tl_model_bind(&model, arena, arena_size);
    return *status != TL_OK ? STEP_BIND : STEP_NONE;
}

/* One sample: set every input, invoke `repeat` times, write status and outputs. Returns 0 on success. */
static int run_sample(uint32_t index, const tl_runner_job *job, const uint8_t *sample, uint64_t *ticks)
{
    uint32_t i, r, step = STEP_SET_INPUT;
    uint64_t start;
    tl_status status = TL_OK;
    uint32_t words[2];
    for (i = 0; i < tl_model_input_count(&model) && status == TL_OK; i++) {
        tl_tensor t;
        tl_model_input(&model, i, &t);
        status = tl_model_set_input(&model, i, sample, t.bytes);
        sample += t.bytes;
    }
    if (status == TL_OK) {
        step = STEP_INVOKE;
        start = tl_board_ticks();
        for (r = 0; r < job->repeat && status == TL_OK; r++) {
            status = tl_model_invoke(&model);
        }
        *ticks += tl_board_ticks() - start;
    }
    words[0] = (uint32_t)status;
    put_words(words, 1);
    if (status != TL_OK) {
        report_failure(index, step, status);
        words[0] = text_length(tl_model_detail(&model));
        put_words(words, 1);
        put(tl_model_detail(&model), words[0]);
        return 1;
    }
    for (i = 0; i < tl_model_output_count(&model); i++) {
        tl_tensor t;
        tl_model_output(&model, i, &t);
        put(t.data, t.bytes);
    }
    return 0;
}

int main(void)
{
    size_t arena_size;
    uint8_t *arena = tl_board_free_ram(&arena_size);
    uint32_t j, words[5], calibration = 0;

    tl_board_ticks_start();
    out_file = tl_sh_open(tl_runner_output_path, TL_SH_MODE_WRITE_BINARY);
    if (out_file < 0) {
        tl_sh_puts("tensorlet runner: cannot open the host output file\n");
        return EXIT_RUNNER;
    }
    for (j = 0; j < tl_runner_job_count; j++) {
        const tl_runner_job *job = &tl_runner_jobs[j];
        tl_status status;
        uint32_t s, step = prepare(job, arena, arena_size, &status), done = 0;
        uint64_t ticks = 0;
        const char *detail = step == STEP_NONE ? "" : tl_model_detail(&model);
        if (step != STEP_NONE) {
            report_failure(j, step, status);
        }
        words[0] = TL_RUNNER_MAGIC('T', 'L', 'J', 'B');
        words[1] = (uint32_t)status;
        words[2] = step;
        words[3] = (uint32_t)tl_model_arena_size(&model);
        words[4] = text_length(detail);
        put_words(words, 5);
        put(detail, words[4]);
        for (s = 0; step == STEP_NONE && s < job->samples; s++) {
            if (run_sample(j, job, job->inputs + (size_t)s * job->sample_bytes, &ticks) != 0) {
                break;
            }
            done++;
        }
        words[0] = TL_RUNNER_MAGIC('T', 'L', 'J', 'E');
        words[1] = done;
        words[2] = (uint32_t)ticks;
        words[3] = (uint32_t)(ticks >> 32);
        put_words(words, 4);
    }
    if (tl_runner_calibration_iterations != 0u) {
        calibration = tl_board_calibrate(tl_runner_calibration_iterations);
    }
    words[0] = TL_RUNNER_MAGIC('T', 'L', 'E', 'N');
    words[1] = tl_runner_calibration_iterations;
    words[2] = calibration;
    words[3] = tl_board_stack_used();
    words[4] = (uint32_t)arena_size;
    put_words(words, 5);
    if (tl_sh_close(out_file) != 0 || write_failed) {
        tl_sh_puts("tensorlet runner: writing the host output file failed\n");
        return EXIT_RUNNER;
    }
    return 0;
}
