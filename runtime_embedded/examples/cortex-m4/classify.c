/* Classify one input on a Cortex-M4 (QEMU mps2-an386): model and input embedded with `tensorlet export-c`, the
 * answer printed over semihosting. Build and run: runtime_embedded/README.md, "Examples". */
#include "semihost.h"
#include "tensorlet.h"

#include "input.h" /* tensorlet export-c INPUT.npy -o input.h --name input */
#include "model.h" /* tensorlet export-c MODEL.tlet -o model.h --name model */

#ifndef ARENA_BYTES
#define ARENA_BYTES (64 * 1024)
#endif

static uint8_t arena[ARENA_BYTES] __attribute__((aligned(16)));
static tl_model net;

static float score(const tl_tensor *t, uint32_t i)
{
    return t->dtype == TL_DTYPE_FLOAT32 ? ((const float *)t->data)[i] : (float)((const int8_t *)t->data)[i];
}

int main(void)
{
    tl_tensor out;
    uint32_t i, best = 0;
    tl_status status = tl_model_load(&net, model, MODEL_SIZE);
    if (status == TL_OK && (status = tl_model_bind(&net, arena, sizeof arena)) == TL_OK &&
        (status = tl_model_set_input(&net, 0, input, INPUT_SIZE)) == TL_OK) {
        status = tl_model_invoke(&net);
    }
    if (status != TL_OK) {
        tl_sh_puts(tl_status_string(status));
        tl_sh_puts(": ");
        tl_sh_puts(tl_model_detail(&net));
        tl_sh_puts("\n");
        return (int)status;
    }
    tl_model_output(&net, 0, &out);
    for (i = 1; i < out.elements; i++) {
        best = score(&out, i) > score(&out, best) ? i : best;
    }
    tl_sh_puts("class ");
    tl_sh_put_u32(best);
    tl_sh_puts("\n");
    return 0;
}
