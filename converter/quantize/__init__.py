"""tensorlet.converter.quantize: post-training quantization of float32 models to int8 (TFLite spec) or to float16
weights, calibration data loading, and the float-vs-quantized accuracy report."""
from tensorlet.converter.quantize.calibration import load_calibration
from tensorlet.converter.quantize.float16 import quantize_float16
from tensorlet.converter.quantize.int8 import quantize_model
from tensorlet.converter.quantize.report import format_report, quantization_report

__all__ = ["format_report", "load_calibration", "quantization_report", "quantize_float16", "quantize_model"]
