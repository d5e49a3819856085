"""tensorlet.converter.optimize: float32 graph rewrites (BatchNorm folding, activation and pad fusion, ...).

`optimize(model)` runs the passes of PASSES to a fixed point on a copy and returns it, not memory-planned.
"""
from tensorlet.converter.optimize.pipeline import PASSES, optimize

__all__ = ["PASSES", "optimize"]
