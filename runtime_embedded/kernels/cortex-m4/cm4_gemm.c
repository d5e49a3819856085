/* The int8 dot-product loops of the Cortex-M4 kernels: see cm4_gemm.h. */
#include <stddef.h>

#include "cm4_gemm.h"

/* One group of 4 k: a (pixel A, w0), b (A, w1), c (B, w0), d (B, w1) += ... */
#define TL_CM4_GROUP(x, u, v)                                                                                       \
    do {                                                                                                            \
        const uint32_t u0_ = tl_cm4_sxtb16(u), u1_ = tl_cm4_sxtb16_ror8(u);                                         \
        const uint32_t v0_ = tl_cm4_sxtb16(v), v1_ = tl_cm4_sxtb16_ror8(v);                                         \
        acc->a = tl_cm4_smlad((x)[0], u0_, acc->a);                                                                 \
        acc->a = tl_cm4_smlad((x)[1], u1_, acc->a);                                                                 \
        acc->b = tl_cm4_smlad((x)[0], v0_, acc->b);                                                                 \
        acc->b = tl_cm4_smlad((x)[1], v1_, acc->b);                                                                 \
        acc->c = tl_cm4_smlad((x)[2], u0_, acc->c);                                                                 \
        acc->c = tl_cm4_smlad((x)[3], u1_, acc->c);                                                                 \
        acc->d = tl_cm4_smlad((x)[2], v0_, acc->d);                                                                 \
        acc->d = tl_cm4_smlad((x)[3], v1_, acc->d);                                                                 \
    } while (0)

/* The accumulators of one block (2 pixels x 2 channels), in this order in memory too */
typedef struct acc4 {
    int32_t a, b, c, d;
} acc4;

/* acc += the 2x2 block's products over k (buf as cm4_gemm.h, w0/w1 two weight rows of k int8), C */
static void mac_2x2_c(const uint32_t *x, const int8_t *w0, const int8_t *w1, uint32_t k, acc4 *acc)
{
    for (; k > 0; k -= k < 4u ? k : 4u) { /* the buffer's last group is zero-padded */
        const uint32_t n = k < 4u ? k : 4u;
        const uint32_t u = n == 4u ? tl_cm4_load4(w0) : tl_cm4_load_tail(w0, n);
        const uint32_t v = n == 4u ? tl_cm4_load4(w1) : tl_cm4_load_tail(w1, n);
        TL_CM4_GROUP(x, u, v);
        x += 4;
        w0 += 4;
        w1 += 4;
    }
}

#if TL_CM4_ASM_LOOPS
/* What the block loop reads and advances (offsets fixed: the asm below reads them) */
typedef struct mac_job {
    const uint32_t *x;    /* 0: the patch buffer */
    uint32_t groups;      /* 4: passes of 8 k, >= 1 */
    uint32_t k;           /* 8: bytes between weight rows */
    const int8_t *w;      /* 12: the next pair's first weight row */
    const int32_t *bias;  /* 16: the next pair's two biases */
    uint32_t bias_step;   /* 20: 8, or 0 (a pair of zeros) */
    acc4 *acc;            /* 24: the next pair's accumulators */
    uint32_t pairs;       /* 28: pairs left, >= 1 */
} mac_job;

/* For each of job->pairs channel pairs: acc = (b0, b1, b0, b1) + the block's products over the first
 * 8 * job->groups k. The C of mac_2x2_c (in passes of 8 k), with the registers laid out by hand. */
static void mac_pairs(mac_job *job)
{
    int32_t a, b, c, d;
    uint32_t x, w0, w1, g, u, v, u1, v1, x0 = (uint32_t)(uintptr_t)job, x1;
#define TL_CM4_MAC_GROUP                                                                                            \
    "ldr %[u], [%[w0]], #4\n\t"                                                                                     \
    "ldr %[v], [%[w1]], #4\n\t"                                                                                     \
    "ldrd %[x0], %[x1], [%[x]], #8\n\t"                                                                             \
    "sxtb16 %[u1], %[u], ror #8\n\t"                                                                                \
    "sxtb16 %[u], %[u]\n\t"                                                                                         \
    "sxtb16 %[v1], %[v], ror #8\n\t"                                                                                \
    "sxtb16 %[v], %[v]\n\t"                                                                                         \
    "smlad %[a], %[x0], %[u], %[a]\n\t"                                                                             \
    "smlad %[a], %[x1], %[u1], %[a]\n\t"                                                                            \
    "smlad %[b], %[x0], %[v], %[b]\n\t"                                                                             \
    "smlad %[b], %[x1], %[v1], %[b]\n\t"                                                                            \
    "ldrd %[x0], %[x1], [%[x]], #8\n\t"                                                                             \
    "smlad %[c], %[x0], %[u], %[c]\n\t"                                                                             \
    "smlad %[c], %[x1], %[u1], %[c]\n\t"                                                                            \
    "smlad %[d], %[x0], %[v], %[d]\n\t"                                                                             \
    "smlad %[d], %[x1], %[v1], %[d]\n\t"
    __asm__ volatile("2:\n\t" /* a pair; the job's address in x0 */
                     "ldr %[w0], [%[x0], #12]\n\t"
                     "ldr %[g], [%[x0], #8]\n\t"
                     "add %[w1], %[w0], %[g]\n\t"
                     "add %[u], %[w1], %[g]\n\t"
                     "str %[u], [%[x0], #12]\n\t"
                     "ldr %[u], [%[x0], #16]\n\t"
                     "ldrd %[a], %[b], [%[u]]\n\t"
                     "ldr %[v], [%[x0], #20]\n\t"
                     "add %[u], %[u], %[v]\n\t"
                     "str %[u], [%[x0], #16]\n\t"
                     "mov %[c], %[a]\n\t"
                     "mov %[d], %[b]\n\t"
                     "ldr %[x], [%[x0], #0]\n\t"
                     "ldr %[g], [%[x0], #4]\n\t"
                     "push {%[x0]}\n\t"
                     "1:\n\t" TL_CM4_MAC_GROUP TL_CM4_MAC_GROUP
                     "subs %[g], %[g], #1\n\t"
                     "bne 1b\n\t"
                     "pop {%[x0]}\n\t"
                     "ldr %[u], [%[x0], #24]\n\t"
                     "strd %[a], %[b], [%[u]], #8\n\t"
                     "strd %[c], %[d], [%[u]], #8\n\t"
                     "str %[u], [%[x0], #24]\n\t"
                     "ldr %[u], [%[x0], #28]\n\t"
                     "subs %[u], %[u], #1\n\t"
                     "str %[u], [%[x0], #28]\n\t"
                     "bne 2b"
                     : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d), [x] "=&r"(x), [w0] "=&r"(w0),
                       [w1] "=&r"(w1), [g] "=&r"(g), [u] "=&r"(u), [v] "=&r"(v), [u1] "=&r"(u1), [v1] "=&r"(v1),
                       [x0] "+&r"(x0), [x1] "=&r"(x1)
                     :
                     : "cc", "memory");
#undef TL_CM4_MAC_GROUP
}

typedef char tl_cm4_mac_job_layout[offsetof(mac_job, groups) == 4 && offsetof(mac_job, k) == 8 &&
                                            offsetof(mac_job, w) == 12 && offsetof(mac_job, bias) == 16 &&
                                            offsetof(mac_job, bias_step) == 20 && offsetof(mac_job, acc) == 24 &&
                                            offsetof(mac_job, pairs) == 28 ? 1 : -1];
#endif

void tl_cm4_gemm_init(tl_cm4_gemm *g, const int8_t *w, uint32_t k, uint32_t channels, const int32_t *bias,
                      const tl_quant_params *q, int32_t y_zp)
{
    g->w = w;
    g->k = k;
    g->channels = channels;
    g->bias = bias;
    g->q = q;
    g->y_zp = y_zp;
    g->lo4 = tl_cm4_dup8(q->act_min);
    g->hi4 = tl_cm4_dup8(q->act_max);
    g->fast = tl_cm4_rq_fast_ok(q->output_shift, channels);
}

#define TL_CM4_PAIRS 16 /* channel pairs per pass: their accumulators on the stack (256 bytes) */

/* Pairs [p0, p0 + n) of channels: accumulate (acc[i] for pair p0 + i), then requantize and store */
static void gemm_pairs(const tl_cm4_gemm *g, const uint32_t *buf, uint32_t p0, uint32_t n, int8_t *ya, int8_t *yb)
{
    static const int32_t zeros[2] = {0, 0};
    const uint32_t k = g->k;
    const int32_t *mult = g->q->output_multiplier, *shift = g->q->output_shift;
    acc4 acc[TL_CM4_PAIRS];
    uint32_t i, done = 0;
#if TL_CM4_ASM_LOOPS
    if (k >= 8u) {
        mac_job job;
        job.x = buf;
        job.groups = k >> 3;
        job.k = k;
        job.w = g->w + 2u * p0 * k;
        job.bias = g->bias ? g->bias + 2u * p0 : zeros;
        job.bias_step = g->bias ? 8u : 0u;
        job.acc = acc;
        job.pairs = n;
        mac_pairs(&job);
        done = k & ~7u;
    } else
#endif
    {
        for (i = 0; i < n; i++) {
            acc[i].a = acc[i].c = g->bias ? g->bias[2u * (p0 + i)] : zeros[0];
            acc[i].b = acc[i].d = g->bias ? g->bias[2u * (p0 + i) + 1u] : zeros[1];
        }
    }
    if (done < k) {
        for (i = 0; i < n; i++) {
            const int8_t *w0 = g->w + 2u * (p0 + i) * k + done;
            mac_2x2_c(buf + done, w0, w0 + k, k - done, &acc[i]);
        }
    }
    ya += 2u * p0;
    yb += 2u * p0;
    mult += 2u * p0;
    shift += 2u * p0;
    if (g->fast) {
        const int32_t y_zp = g->y_zp;
        const uint32_t lo4 = g->lo4, hi4 = g->hi4;
        const acc4 *r = acc, *end = acc + n;
        for (; r < end; r++, ya += 2, yb += 2, mult += 2, shift += 2) {
            const uint32_t out =
                tl_cm4_pack4(tl_cm4_rq(r->a, mult[0], shift[0]) + y_zp, tl_cm4_rq(r->b, mult[1], shift[1]) + y_zp,
                             tl_cm4_rq(r->c, mult[0], shift[0]) + y_zp, tl_cm4_rq(r->d, mult[1], shift[1]) + y_zp,
                             lo4, hi4);
            const uint16_t ab = (uint16_t)out, cd = (uint16_t)(out >> 16);
            __builtin_memcpy(ya, &ab, 2);
            __builtin_memcpy(yb, &cd, 2);
        }
        return;
    }
    for (i = 0; i < n; i++, ya += 2, yb += 2, mult += 2, shift += 2) {
        const int32_t lo = g->q->act_min, hi = g->q->act_max;
        ya[0] = tl_cm4_rq_any(acc[i].a, mult[0], shift[0], g->y_zp, lo, hi);
        ya[1] = tl_cm4_rq_any(acc[i].b, mult[1], shift[1], g->y_zp, lo, hi);
        yb[0] = tl_cm4_rq_any(acc[i].c, mult[0], shift[0], g->y_zp, lo, hi);
        yb[1] = tl_cm4_rq_any(acc[i].d, mult[1], shift[1], g->y_zp, lo, hi);
    }
}

void tl_cm4_gemm_pair(const tl_cm4_gemm *g, const uint32_t *buf, int8_t *ya, int8_t *yb)
{
    const uint32_t pairs = g->channels / 2u, k = g->k;
    uint32_t p;
    for (p = 0; p < pairs; p += TL_CM4_PAIRS) {
        gemm_pairs(g, buf, p, pairs - p < TL_CM4_PAIRS ? pairs - p : TL_CM4_PAIRS, ya, yb);
    }
    if (g->channels & 1u) { /* the last channel: its row twice */
        const uint32_t c = g->channels - 1u;
        const int32_t *m = g->q->output_multiplier, *s = g->q->output_shift;
        const int8_t *w0 = g->w + c * k;
        acc4 acc;
        acc.a = acc.b = acc.c = acc.d = g->bias ? g->bias[c] : 0;
        mac_2x2_c(buf, w0, w0, k, &acc);
        ya[c] = tl_cm4_rq_any(acc.a, m[c], s[c], g->y_zp, g->q->act_min, g->q->act_max);
        yb[c] = tl_cm4_rq_any(acc.c, m[c], s[c], g->y_zp, g->q->act_min, g->q->act_max);
    }
}

int8_t tl_cm4_rq_any(int32_t acc, int32_t m, int32_t shift, int32_t y_zp, int32_t act_min, int32_t act_max)
{
    int64_t v;
    if (shift <= -2) {
        return tl_cm4_clamp(tl_cm4_rq(acc, m, shift) + y_zp, act_min, act_max); /* |result| < 2^30 */
    }
    v = (int64_t)tl_mbqm(acc, m, shift) + y_zp;
    return tl_cm4_clamp((int32_t)(v < -256 ? -256 : (v > 255 ? 255 : v)), act_min, act_max);
}

void tl_cm4_dot_1x4(const int8_t *x, const int8_t *w, uint32_t stride, uint32_t n, int32_t x_zp, int32_t *acc)
{
    const uint32_t nzp = tl_cm4_dup16(-x_zp);
    const int8_t *w2 = w + 2 * stride;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    uint32_t i = n >> 2;
#if TL_CM4_ASM_LOOPS
    if (i > 0) { /* the C of the #else, with the registers laid out by hand */
        uint32_t x02, x13, u, u1;
#define TL_CM4_DOT_ROW(a, addr)                                                                                     \
    "ldr %[u], " addr "\n\t"                                                                                        \
    "sxtb16 %[u1], %[u], ror #8\n\t"                                                                                \
    "sxtb16 %[u], %[u]\n\t"                                                                                         \
    "smlad %[" #a "], %[x02], %[u], %[" #a "]\n\t"                                                                  \
    "smlad %[" #a "], %[x13], %[u1], %[" #a "]\n\t"
        __asm__ volatile("1:\n\t"
                         "ldr %[x13], [%[x]], #4\n\t"
                         "sxtab16 %[x02], %[nzp], %[x13]\n\t"
                         "sxtab16 %[x13], %[nzp], %[x13], ror #8\n\t"
                         TL_CM4_DOT_ROW(a1, "[%[w], %[s]]")
                         TL_CM4_DOT_ROW(a0, "[%[w]], #4")
                         TL_CM4_DOT_ROW(a3, "[%[w2], %[s]]")
                         TL_CM4_DOT_ROW(a2, "[%[w2]], #4")
                         "subs %[i], %[i], #1\n\t"
                         "bne 1b"
                         : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w),
                           [w2] "+r"(w2), [i] "+r"(i), [x02] "=&r"(x02), [x13] "=&r"(x13), [u] "=&r"(u),
                           [u1] "=&r"(u1)
                         : [s] "r"(stride), [nzp] "r"(nzp)
                         : "cc", "memory");
#undef TL_CM4_DOT_ROW
    }
#else
    for (; i > 0; i--, x += 4, w += 4, w2 += 4) {
        const uint32_t xv = tl_cm4_load4(x);
        const uint32_t x0 = tl_cm4_sxtab16(nzp, xv), x1 = tl_cm4_sxtab16_ror8(nzp, xv);
        uint32_t u = tl_cm4_load4(w);
        a0 = tl_cm4_smlad(x0, tl_cm4_sxtb16(u), a0);
        a0 = tl_cm4_smlad(x1, tl_cm4_sxtb16_ror8(u), a0);
        u = tl_cm4_load4(w + stride);
        a1 = tl_cm4_smlad(x0, tl_cm4_sxtb16(u), a1);
        a1 = tl_cm4_smlad(x1, tl_cm4_sxtb16_ror8(u), a1);
        u = tl_cm4_load4(w2);
        a2 = tl_cm4_smlad(x0, tl_cm4_sxtb16(u), a2);
        a2 = tl_cm4_smlad(x1, tl_cm4_sxtb16_ror8(u), a2);
        u = tl_cm4_load4(w2 + stride);
        a3 = tl_cm4_smlad(x0, tl_cm4_sxtb16(u), a3);
        a3 = tl_cm4_smlad(x1, tl_cm4_sxtb16_ror8(u), a3);
    }
#endif
    for (i = 0; i < (n & 3u); i++) {
        const int32_t xi = (int32_t)x[i] - x_zp;
        a0 = tl_wrap32((uint32_t)a0 + (uint32_t)(xi * w[i]));
        a1 = tl_wrap32((uint32_t)a1 + (uint32_t)(xi * w[stride + i]));
        a2 = tl_wrap32((uint32_t)a2 + (uint32_t)(xi * w2[i]));
        a3 = tl_wrap32((uint32_t)a3 + (uint32_t)(xi * w2[stride + i]));
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}
