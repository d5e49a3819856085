/* SUB: a, b (numpy broadcasting) -> out = a - b, then the fused activation.
 * Reference: converter/reference/ops/sub.py and binary_broadcast.py; ADD's arithmetic with the second rescaled
 * input subtracted (TFLite's SubElementwise / BroadcastQuantSubSlow), in add_sub.c. */
#include "add_sub.h"

static tl_status eval(tl_op *op)
{
    tl_eval_add_sub(op, -1);
    return TL_OK;
}

const tl_kernel tl_kernel_sub = {TL_OP_SUB, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, tl_check_add_sub, NULL,
                                 eval};
