"""tensorlet.converter: importers (ONNX, TFLite), optimizer, quantizer, the .tlet format (IR, reader, writer),
the memory planner and the reference interpreter."""
from tensorlet.converter.convert import Conversion, convert
from tensorlet.converter.ir import Model
from tensorlet.converter.onnx_import import import_onnx
from tensorlet.converter.reader import from_bytes, load
from tensorlet.converter.tflite_import import import_tflite
from tensorlet.converter.writer import save, to_bytes

__all__ = ["Conversion", "Model", "convert", "from_bytes", "import_onnx", "import_tflite", "load", "save",
           "to_bytes"]
