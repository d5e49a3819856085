"""tensorlet.converter.reference: the numpy reference interpreter, the golden oracle for every runtime."""
from tensorlet.converter.reference.interpreter import run, trace

__all__ = ["run", "trace"]
