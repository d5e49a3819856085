/* tlrun: run a .tlet model on raw input bytes with the Tensorlet C runtime (Linux host port).
 *
 *   tlrun MODEL.tlet IN.bin OUT.bin   IN.bin holds N samples, each the model's inputs' bytes concatenated in input
 *                                     order; OUT.bin receives N samples of the outputs' bytes, likewise.
 *   tlrun --info MODEL.tlet           prints the arena size and every input and output (one line each).
 * Exit status 0 on success; the runtime's status code (1..63) with its message on stderr when it fails; 64 for
 * usage, file and memory errors of the runner itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorlet.h"

#define EXIT_RUNNER 64

/* malloc'd memory aligned to TL_ALIGNMENT; *base is what to free. */
static void *aligned_block(size_t size, void **base)
{
    uint8_t *raw = (uint8_t *)malloc(size + TL_ALIGNMENT);
    *base = raw;
    if (raw == NULL) {
        return NULL;
    }
    return raw + (TL_ALIGNMENT - (uintptr_t)raw % TL_ALIGNMENT) % TL_ALIGNMENT;
}

/* The whole file at path in an aligned block; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *size, void **base)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f) {
            fclose(f);
        }
        return NULL;
    }
    data = (uint8_t *)aligned_block((size_t)n + 1, base);
    if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*base);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return data;
}

static int fail(const tl_model *m, tl_status status, const char *what)
{
    fprintf(stderr, "tlrun: %s: %s: %s\n", what, tl_status_string(status), tl_model_detail(m));
    return (int)status;
}

static void print_tensor(const char *kind, uint32_t i, const tl_tensor *t)
{
    uint32_t d;
    printf("%s %u name=%s dtype=%s shape=[", kind, i, t->name, tl_dtype_name(t->dtype));
    for (d = 0; d < t->rank; d++) {
        printf(d ? ",%d" : "%d", t->dims[d]);
    }
    printf("] bytes=%u scale=%.9g zero_point=%d\n", t->bytes, (double)t->scale, t->zero_point);
}

int main(int argc, char **argv)
{
    tl_model model;
    void *model_base = NULL, *arena_base = NULL, *in_base = NULL;
    size_t model_size = 0, in_size = 0, in_bytes = 0, out_bytes = 0, samples, s;
    uint8_t *data, *arena, *in;
    uint32_t i;
    tl_status status;
    FILE *out;
    int info = argc == 3 && strcmp(argv[1], "--info") == 0;
    if (!info && argc != 4) {
        fprintf(stderr, "usage: tlrun MODEL.tlet IN.bin OUT.bin | tlrun --info MODEL.tlet\n");
        return EXIT_RUNNER;
    }
    data = read_file(argv[info ? 2 : 1], &model_size, &model_base);
    if (data == NULL) {
        fprintf(stderr, "tlrun: cannot read %s\n", argv[info ? 2 : 1]);
        return EXIT_RUNNER;
    }
    status = tl_model_load(&model, data, model_size);
    if (status != TL_OK) {
        return fail(&model, status, "load");
    }
    arena = (uint8_t *)aligned_block(tl_model_arena_size(&model), &arena_base);
    if (arena == NULL) {
        fprintf(stderr, "tlrun: cannot allocate %zu bytes of arena\n", tl_model_arena_size(&model));
        return EXIT_RUNNER;
    }
    status = tl_model_bind(&model, arena, tl_model_arena_size(&model));
    if (status != TL_OK) {
        return fail(&model, status, "bind");
    }
    for (i = 0; i < tl_model_input_count(&model); i++) {
        tl_tensor t;
        tl_model_input(&model, i, &t);
        in_bytes += t.bytes;
        if (info) {
            print_tensor("input", i, &t);
        }
    }
    for (i = 0; i < tl_model_output_count(&model); i++) {
        tl_tensor t;
        tl_model_output(&model, i, &t);
        out_bytes += t.bytes;
        if (info) {
            print_tensor("output", i, &t);
        }
    }
    if (info) {
        printf("arena_bytes %zu\n", tl_model_arena_size(&model));
        return 0;
    }
    in = read_file(argv[2], &in_size, &in_base);
    if (in == NULL || in_bytes == 0 || in_size % in_bytes != 0) {
        fprintf(stderr, "tlrun: %s must hold a whole number of samples of %zu bytes\n", argv[2], in_bytes);
        return EXIT_RUNNER;
    }
    out = fopen(argv[3], "wb");
    if (out == NULL) {
        fprintf(stderr, "tlrun: cannot write %s\n", argv[3]);
        return EXIT_RUNNER;
    }
    samples = in_size / in_bytes;
    for (s = 0; s < samples; s++) {
        const uint8_t *sample = in + s * in_bytes;
        for (i = 0; i < tl_model_input_count(&model); i++) {
            tl_tensor t;
            tl_model_input(&model, i, &t);
            status = tl_model_set_input(&model, i, sample, t.bytes);
            if (status != TL_OK) {
                return fail(&model, status, "set_input");
            }
            sample += t.bytes;
        }
        status = tl_model_invoke(&model);
        if (status != TL_OK) {
            return fail(&model, status, "invoke");
        }
        for (i = 0; i < tl_model_output_count(&model); i++) {
            tl_tensor t;
            tl_model_output(&model, i, &t);
            if (fwrite(t.data, 1, t.bytes, out) != t.bytes) {
                fprintf(stderr, "tlrun: write failed\n");
                return EXIT_RUNNER;
            }
        }
    }
    fclose(out);
    free(in_base);
    free(arena_base);
    free(model_base);
    return 0;
}
