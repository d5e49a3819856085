/* memcpy, memmove and memset for the SIMD128 wasm32 build (bulk memory): clang emits calls to them for struct
 * copies; each is one memory.copy / memory.fill instruction. The MVP build links the portable byte loops of
 * runtime_embedded/ports/freestanding/tl_libc.c instead. */
#include <stddef.h>

#ifndef __wasm_bulk_memory__
#error "wasm_libc.c is for builds with bulk memory (-mbulk-memory); the others link ports/freestanding/tl_libc.c"
#endif

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
    return __builtin_memmove(dst, src, n); /* memory.copy handles overlap */
}

void *memmove(void *dst, const void *src, size_t n)
{
    return __builtin_memmove(dst, src, n);
}

void *memset(void *dst, int value, size_t n)
{
    return __builtin_memset(dst, value, n);
}
