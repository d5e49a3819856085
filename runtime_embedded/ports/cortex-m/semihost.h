/* Arm semihosting for the Cortex-M port: console text, host files and the program's exit code, through a debugger
 * or QEMU (-semihosting-config enable=on,target=native). Each call is a BKPT 0xAB trap; without a debugger attached
 * a real board stops at the first one, so production firmware should not call these.
 */
#ifndef TL_SEMIHOST_H
#define TL_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/* Host file modes of SYS_OPEN (ISO C fopen modes in the order the semihosting specification numbers them). */
enum { TL_SH_MODE_READ_BINARY = 1, TL_SH_MODE_WRITE_BINARY = 5 };

/* One semihosting call: `op` in r0, `arg` in r1; returns r0. */
int32_t tl_sh_call(uint32_t op, const void *arg);

/* Write a NUL-terminated string to the host console. */
void tl_sh_puts(const char *text);

/* Write an unsigned / signed decimal number to the host console. */
void tl_sh_put_u32(uint32_t value);
void tl_sh_put_i32(int32_t value);

/* Open a host file (mode: TL_SH_MODE_*); returns a handle >= 0, or -1. ":tt" is the console. */
int32_t tl_sh_open(const char *path, uint32_t mode);

/* Write `size` bytes to a host file; returns 0 when all were written. */
int32_t tl_sh_write(int32_t handle, const void *data, size_t size);

/* Close a host file; 0 on success. */
int32_t tl_sh_close(int32_t handle);

/* End the program with `code` as the host's exit status (SYS_EXIT_EXTENDED); never returns. */
void tl_sh_exit(uint32_t code) __attribute__((noreturn));

#endif /* TL_SEMIHOST_H */
