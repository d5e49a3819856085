/* Classify one input on Linux (x86-64, or a Raspberry Pi: aarch64): the model embedded with `tensorlet export-c`,
 * the input read from a file of its raw bytes. Usage: classify INPUT.bin. Build: runtime_embedded/README.md. */
#include <stdio.h>

#include "tensorlet.h"

#include "model.h" /* tensorlet export-c MODEL.tlet -o model.h --name model */

static unsigned char arena[1 << 20] __attribute__((aligned(16))); /* 16-byte aligned, as the runtime needs */

static float score(const tl_tensor *t, uint32_t i)
{
    return t->dtype == TL_DTYPE_FLOAT32 ? ((const float *)t->data)[i] : (float)((const int8_t *)t->data)[i];
}

int main(int argc, char **argv)
{
    tl_model net;
    tl_tensor in, out;
    uint32_t i, best = 0;
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    tl_status status = tl_model_load(&net, model, MODEL_SIZE);
    if (status == TL_OK && (status = tl_model_bind(&net, arena, sizeof arena)) == TL_OK) {
        tl_model_input(&net, 0, &in);
        if (f == NULL || fread(in.data, 1, in.bytes, f) != in.bytes) {
            fprintf(stderr, "usage: classify INPUT.bin (%u bytes of %s)\n", in.bytes, tl_dtype_name(in.dtype));
            return 64;
        }
        status = tl_model_invoke(&net);
    }
    if (status != TL_OK) {
        fprintf(stderr, "%s: %s\n", tl_status_string(status), tl_model_detail(&net));
        return (int)status;
    }
    tl_model_output(&net, 0, &out);
    for (i = 1; i < out.elements; i++) {
        best = score(&out, i) > score(&out, best) ? i : best;
    }
    printf("class %u (score %g)\n", best, (double)score(&out, best));
    return 0;
}
