/* Arm semihosting calls for the Cortex-M port (see semihost.h). The operation numbers and parameter blocks follow
 * Arm's "Semihosting for AArch32 and AArch64" specification. */
#include "semihost.h"

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

int32_t tl_sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

void tl_sh_puts(const char *text)
{
    tl_sh_call(SYS_WRITE0, text);
}

void tl_sh_put_u32(uint32_t value)
{
    char text[11];
    int at = 10;
    text[at] = '\0';
    do {
        text[--at] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0u);
    tl_sh_puts(text + at);
}

void tl_sh_put_i32(int32_t value)
{
    if (value < 0) {
        tl_sh_puts("-");
        tl_sh_put_u32(0u - (uint32_t)value);
    } else {
        tl_sh_put_u32((uint32_t)value);
    }
}

int32_t tl_sh_open(const char *path, uint32_t mode)
{
    uint32_t length = 0;
    uint32_t block[3];
    while (path[length] != '\0') {
        length++;
    }
    block[0] = (uint32_t)(uintptr_t)path;
    block[1] = mode;
    block[2] = length;
    return tl_sh_call(SYS_OPEN, block);
}

int32_t tl_sh_write(int32_t handle, const void *data, size_t size)
{
    uint32_t block[3];
    block[0] = (uint32_t)handle;
    block[1] = (uint32_t)(uintptr_t)data;
    block[2] = (uint32_t)size;
    return tl_sh_call(SYS_WRITE, block); /* the number of bytes NOT written */
}

int32_t tl_sh_close(int32_t handle)
{
    uint32_t block[1];
    block[0] = (uint32_t)handle;
    return tl_sh_call(SYS_CLOSE, block);
}

void tl_sh_exit(uint32_t code)
{
    uint32_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = code;
    tl_sh_call(SYS_EXIT_EXTENDED, block);
    /* a host without SYS_EXIT_EXTENDED: plain SYS_EXIT (exit status 0 for success, 1 otherwise) */
    tl_sh_call(SYS_EXIT, (const void *)(uintptr_t)(code == 0u ? ADP_STOPPED_APPLICATION_EXIT : 0x20023u));
    for (;;) {
    }
}
