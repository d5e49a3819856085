/* The smallest complete program around the runtime, for code-size measurement (make cm-size): load a model, bind
 * it in the free RAM, run one inference. The model is not linked in (tl_size_model is an address given to the
 * linker), so the image holds the runtime, the kernels of CM_OPS and the startup code only. */
#include "board.h"
#include "tensorlet.h"

extern const uint8_t tl_size_model[];
static volatile uint32_t model_size; /* set by a debugger or loader: keeps the calls from being folded away */

int main(void)
{
    static tl_model model;
    size_t arena_size;
    uint8_t *arena = tl_board_free_ram(&arena_size);
    tl_status status = tl_model_load(&model, tl_size_model, model_size);
    if (status == TL_OK) {
        status = tl_model_bind(&model, arena, arena_size);
    }
    if (status == TL_OK) {
        status = tl_model_invoke(&model);
    }
    return (int)status;
}
