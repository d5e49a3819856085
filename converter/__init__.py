"""tensorlet.converter: the .tlet format (IR, reader, writer), the memory planner and the reference interpreter."""
from tensorlet.converter.ir import Model
from tensorlet.converter.reader import from_bytes, load
from tensorlet.converter.writer import save, to_bytes

__all__ = ["Model", "from_bytes", "load", "save", "to_bytes"]
