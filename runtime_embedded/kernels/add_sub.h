/* Shared by ADD and SUB (converter/reference/ops/binary_broadcast.py): the check and the broadcasting eval. */
#ifndef TL_ADD_SUB_H
#define TL_ADD_SUB_H

#include "tl_kernel.h"

#define TL_ADD_SUB_LEFT_SHIFT 20 /* TFLite's headroom shift for 8-bit ADD/SUB */

/* a, b broadcasting to out: float32, or int8 with quant_params (input and output multipliers/shifts, every shift
 * <= 0, left_shift 20). */
tl_status tl_check_add_sub(tl_op *op);

/* out = a + sign * b (sign +1: ADD, -1: SUB), then the fused activation. Float in double, rounded to float32. Int8
 * (TFLite's AddFunc / SubElementwise): each input (q - zp) * 2^20 rescaled by its multiplier to a common scale, the
 * two added (or subtracted, wrapping), requantized to the output, + zp_out, clamped to [act_min, act_max]. */
void tl_eval_add_sub(tl_op *op, int32_t sign);

#endif /* TL_ADD_SUB_H */
