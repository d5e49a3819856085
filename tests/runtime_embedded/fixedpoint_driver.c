/* Test driver for tl_fixedpoint.h and tl_gemmlowp.h: reads int32 triples (a, b, c) from stdin and writes, per
 * triple, the int32 results of every primitive (see FUNCTIONS in test_fixedpoint.py) to stdout. */
#include <stdio.h>

#include "tl_gemmlowp.h"

int main(void)
{
    int32_t in[3];
    while (fread(in, sizeof in, 1, stdin) == 1) {
        const int32_t a = in[0], b = in[1];
        const int shift = (int)(((uint32_t)in[2]) % 63u) - 31; /* [-31, 31] */
        const int exponent = (int)(((uint32_t)in[2]) % 32u);   /* [0, 31] */
        const int32_t nonpositive = a > 0 ? -a : a;
        const int32_t unit = a < 0 ? (int32_t)(((uint32_t)a) & 0x7FFFFFFFu) : a; /* [0, 2^31) */
        int nbits = 0;
        int32_t out[9];
        out[0] = tl_srdhm(a, b);
        out[1] = tl_rdbpot(a, exponent);
        out[2] = tl_mbqm(a, b < 0 ? (int32_t)((uint32_t)b & 0x7FFFFFFFu) : b, shift);
        out[3] = tl_srmbpot(a, shift);
        out[4] = tl_gl_exp_on_negative_values(nonpositive, 5);
        out[5] = tl_gl_one_over_one_plus_x_for_x_in_0_1(unit);
        out[6] = tl_gl_get_reciprocal(unit == 0 ? 1 : unit, 12, &nbits);
        out[7] = nbits;
        out[8] = tl_gl_rounding_half_sum(a, b);
        fwrite(out, sizeof out, 1, stdout);
    }
    return 0;
}
