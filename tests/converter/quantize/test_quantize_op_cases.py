"""Every float case of the op catalog quantizes to a valid int8 model that survives the .tlet round trip and stays
close to the float model on its calibration inputs.

Tolerances are in LSBs of the int8 output (its scale), on inputs inside the calibrated range, per op family:
  data movement (RESHAPE, TRANSPOSE, SLICE, PAD, CONCATENATION, MAX_POOL_2D, RESIZE_NEAREST): 0.5 (only the input
    rounding; the values are moved, not recomputed)
  averaging (AVERAGE_POOL_2D, MEAN, RESIZE_BILINEAR): 2.5 (input rounding averaged + output rounding; MEAN's
    output scale is ~6x finer than its input's, so the input rounding counts several output LSBs)
  softmax family (SOFTMAX, LOG_SOFTMAX): 2
  elementwise tables (RELU.., LOGISTIC, TANH, HARD_SWISH, ELU, GELU) and LAYER_NORM (float between DEQUANTIZE and
    QUANTIZE): 3 (input rounding times the slope, in output LSBs when the input scale is coarser, + output rounding)
  arithmetic (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, ADD, SUB, MUL): 4 (sums of rounded
    inputs and weights)
Measured worst cases (this seed): 0.5, 1.63, 1.19, 2.15 and 2.86 LSB. A model of one LAYER_NORM with float I/O has
nothing to quantize and stays float.
"""
import numpy as np
import pytest

from op_cases import cases
from tensorlet.converter import ir
from tensorlet.converter.quantize import quantize_model
from tensorlet.converter.quantize.params import dequantize_array, quantize_array
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import to_bytes

OpCode = ir.OpCode
FLOAT_CASES = [(case_id, model) for case_id, model, _ in cases() if case_id.endswith("-float")]
TOLERANCE_LSB = {
    **dict.fromkeys([OpCode.RESHAPE, OpCode.TRANSPOSE, OpCode.SLICE, OpCode.PAD, OpCode.CONCATENATION,
                     OpCode.MAX_POOL_2D, OpCode.RESIZE_NEAREST], 0.5 + 1e-3),
    **dict.fromkeys([OpCode.AVERAGE_POOL_2D, OpCode.MEAN, OpCode.RESIZE_BILINEAR], 2.5),
    **dict.fromkeys([OpCode.SOFTMAX, OpCode.LOG_SOFTMAX], 2.0),
    **dict.fromkeys([OpCode.RELU, OpCode.RELU6, OpCode.LEAKY_RELU, OpCode.HARD_SWISH, OpCode.ELU, OpCode.GELU,
                     OpCode.LOGISTIC, OpCode.TANH, OpCode.LAYER_NORM], 3.0),
    **dict.fromkeys([OpCode.CONV_2D, OpCode.DEPTHWISE_CONV_2D, OpCode.TRANSPOSE_CONV, OpCode.FULLY_CONNECTED,
                     OpCode.ADD, OpCode.SUB, OpCode.MUL], 4.0),
}


def calibration(model: ir.Model, count: int = 12) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(11)
    return [[rng.standard_normal(model.tensors[i].shape).astype(np.float32) for i in model.inputs]
            for _ in range(count)]


def round_trip(model: ir.Model) -> ir.Model:
    return from_bytes(to_bytes(model))


def test_every_float_opcode_is_covered():
    covered = {model.operators[0].opcode for _, model in FLOAT_CASES}
    assert covered == set(OpCode) - {OpCode.DEQUANTIZE}          # DEQUANTIZE has no float case: int8 -> float


@pytest.mark.parametrize("case_id,model", FLOAT_CASES, ids=[c for c, _ in FLOAT_CASES])
def test_op_quantizes_close_to_float(case_id, model):
    opcode = model.operators[0].opcode
    cal = calibration(model)
    q = round_trip(quantize_model(model, cal, io="int8"))
    qf = round_trip(quantize_model(model, cal, io="float"))
    assert any(t.dtype == ir.DType.INT8 for t in q.tensors)
    out = q.tensors[q.outputs[0]]
    scale, zero_point = out.quantization.scale[0], out.quantization.zero_point[0]
    worst = 0.0
    for sample in cal:
        inputs = [quantize_array(x, q.tensors[i].quantization.scale[0], q.tensors[i].quantization.zero_point[0])
                  for x, i in zip(sample, q.inputs)]
        y_int8 = run(q, inputs)[0]
        y_io_float = run(qf, sample)[0]
        expected = run(model, sample)[0]
        if opcode == OpCode.LAYER_NORM:                            # float I/O around a float-only op
            np.testing.assert_array_equal(y_io_float, expected)
            assert [op.opcode for op in qf.operators] == [OpCode.LAYER_NORM]
            y_io_float = dequantize_array(y_int8, scale, zero_point)
        if opcode == OpCode.QUANTIZE:                              # the source already outputs int8: kept as is
            np.testing.assert_array_equal(y_io_float, expected)
            worst = max(worst, np.abs(y_int8.astype(int) - expected.astype(int)).max())
            continue
        y = dequantize_array(y_int8, scale, zero_point)
        np.testing.assert_array_equal(y_io_float, y)               # io="float" is io="int8" wrapped, bit for bit
        worst = max(worst, float(np.abs(y - expected).max()) / scale)
    tolerance = 1.0 if opcode == OpCode.QUANTIZE else TOLERANCE_LSB[opcode]
    assert worst <= tolerance, f"{case_id}: {worst:.3f} LSB > {tolerance}"
