/* libFuzzer harness: every byte string goes through tl_model_load, and whatever loads through tl_model_bind and
 * tl_model_invoke (inputs filled from the fuzz data), under ASan and UBSan. Nothing may crash or read out of
 * bounds; a non-OK status is a fine outcome.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz), or with -DTL_FUZZ_STANDALONE and any compiler
 * as a program that runs the same entry point once per file named on its command line and prints each status
 * (make asan; the hostile-input tests use it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensorlet.h"

#define MAX_ARENA (16u << 20) /* larger models are loaded but not bound: keeps executions fast */

static void *aligned_copy(const uint8_t *data, size_t size, void **base)
{
    uint8_t *raw = (uint8_t *)malloc(size + TL_ALIGNMENT + 1);
    uint8_t *aligned;
    *base = raw;
    if (raw == NULL) {
        return NULL;
    }
    aligned = raw + (TL_ALIGNMENT - (uintptr_t)raw % TL_ALIGNMENT) % TL_ALIGNMENT;
    if (size) {
        memcpy(aligned, data, size);
    }
    return aligned;
}

/* load -> bind -> invoke (twice); *checked gets the load/bind status, the result is invoke's (or -1 when the
 * model did not get that far or its arena is over MAX_ARENA). */
static int run_one(const uint8_t *data, size_t size, tl_status *checked)
{
    tl_model model;
    void *file_base, *arena_base = NULL;
    uint8_t *file = (uint8_t *)aligned_copy(data, size, &file_base);
    uint8_t *arena;
    int result = -1;
    size_t need;
    uint32_t i;
    *checked = TL_ERROR_ARGUMENT;
    if (file == NULL) {
        return -1;
    }
    *checked = tl_model_load(&model, file, size);
    need = tl_model_arena_size(&model);
    if (*checked == TL_OK && need <= MAX_ARENA && (arena_base = malloc(need + TL_ALIGNMENT)) != NULL) {
        arena = (uint8_t *)arena_base + (TL_ALIGNMENT - (uintptr_t)arena_base % TL_ALIGNMENT) % TL_ALIGNMENT;
        *checked = tl_model_bind(&model, arena, need);
        for (i = 0; *checked == TL_OK && i < tl_model_input_count(&model); i++) {
            tl_tensor t;
            uint32_t k;
            tl_model_input(&model, i, &t);
            for (k = 0; k < t.bytes && size; k++) { /* the fuzz data again: NaNs, infinities, extremes */
                ((uint8_t *)t.data)[k] = data[(k * 7u + i) % size];
            }
        }
        if (*checked == TL_OK) {
            result = (int)tl_model_invoke(&model);
            if (result == TL_OK) {
                result = (int)tl_model_invoke(&model); /* a second inference on the same arena */
            }
        }
    }
    (void)tl_status_string(*checked);
    (void)tl_model_detail(&model);
    free(arena_base);
    free(file_base);
    return result;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_status checked;
    (void)run_one(data, size, &checked);
    return 0;
}

#ifdef TL_FUZZ_STANDALONE
#include <stdio.h>

/* fuzz_load FILE...: prints "<load/bind status> <invoke status or -1> <file>" per file, with the detail message
 * when load/bind fails; exit 0 unless a file cannot be read. */
int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        uint8_t *buf;
        long n;
        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            return 2;
        }
        buf = (uint8_t *)malloc((size_t)n + 1);
        if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            return 2;
        }
        fclose(f);
        {
            tl_status checked;
            const int invoked = run_one(buf, (size_t)n, &checked);
            printf("%d %d %s\n", (int)checked, invoked, argv[i]);
        }
        free(buf);
    }
    return 0;
}
#endif
