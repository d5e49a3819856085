/* A row-major walk over the elements of an N-d output (rank <= TL_MAX_RANK) that tracks one element offset into a
 * source tensor: the offset moves by step[d] when index d moves by one. Shared by TRANSPOSE (steps are the
 * input's strides permuted) and SLICE (strides times the slice's steps). Offsets are uint32 and wrap modulo 2^32 in
 * the intermediate rewinds (defined unsigned arithmetic); every offset handed out is a real element's. */
#ifndef TL_ND_WALK_H
#define TL_ND_WALK_H

#include "tl_kernel.h"

typedef struct tl_nd_walk {
    uint32_t rank;
    int32_t dims[TL_MAX_RANK];
    uint32_t step[TL_MAX_RANK];
    int32_t index[TL_MAX_RANK];
    uint32_t at;
} tl_nd_walk;

/* Row-major strides (in elements) of t's dims into strides[0..rank). */
static inline void tl_nd_strides(const tl_tensor *t, uint32_t *strides)
{
    uint32_t d, s = 1;
    for (d = t->rank; d-- > 0;) {
        strides[d] = s;
        s *= (uint32_t)t->dims[d];
    }
}

/* Start a walk over dims[0..rank) at source offset `at`, with per-dim source steps step[0..rank). */
static inline void tl_nd_walk_init(tl_nd_walk *w, uint32_t rank, const int32_t *dims, const uint32_t *step,
                                   uint32_t at)
{
    uint32_t d;
    w->rank = rank;
    for (d = 0; d < rank; d++) {
        w->dims[d] = dims[d];
        w->step[d] = step[d];
        w->index[d] = 0;
    }
    w->at = at;
}

/* Advance to the next element (row-major); past the last element it wraps back to the start. */
static inline void tl_nd_walk_next(tl_nd_walk *w)
{
    uint32_t d = w->rank;
    while (d-- > 0) {
        w->index[d]++;
        w->at += w->step[d];
        if (w->index[d] < w->dims[d]) {
            return;
        }
        w->at -= w->step[d] * (uint32_t)w->dims[d];
        w->index[d] = 0;
    }
}

#endif /* TL_ND_WALK_H */
