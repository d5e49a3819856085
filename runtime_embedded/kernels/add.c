/* ADD: a, b (numpy broadcasting) -> out = a + b, then the fused activation.
 * Reference: converter/reference/ops/add.py and binary_broadcast.py; the arithmetic is in add_sub.c. */
#include "add_sub.h"

static tl_status check(tl_op *op)
{
    return tl_check_add_sub(op);
}

static tl_status eval(tl_op *op)
{
    tl_eval_add_sub(op, 1);
    return TL_OK;
}

const tl_kernel tl_kernel_add = {TL_OP_ADD, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL, eval};
