/* memcpy, memmove and memset for the freestanding wasm32 builds: clang emits calls to them for struct copies.
 * With bulk memory (the SIMD build) each is one memory.copy / memory.fill instruction; without it (the MVP build),
 * byte loops (clang's -ffreestanding implies -fno-builtin, so the loops are not turned back into calls). */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);

#ifdef __wasm_bulk_memory__

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

#else

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d < s) {
        while (n--) {
            *d++ = *s++;
        }
    } else {
        while (n--) {
            d[n] = s[n];
        }
    }
    return dst;
}

void *memset(void *dst, int value, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    while (n--) {
        *d++ = (unsigned char)value;
    }
    return dst;
}

#endif
