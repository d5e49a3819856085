"""The importer's view of an ONNX value that is computed at run time: its logical (ONNX) shape and the IR tensors
holding it, one per layout it has been materialized in. Constants are plain numpy arrays beside these.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tensorlet.converter.onnx_import.layout import Layout


@dataclass
class Activation:
    """An ONNX activation: `stored` maps each layout it exists in to an IR tensor index; the first is where it was
    produced. Aliases (Identity, Dropout) share one `stored` dict, so a layout materialized once serves all."""

    name: str
    shape: tuple[int, ...]
    stored: dict[Layout, int] = field(default_factory=dict)

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def primary(self) -> Layout:
        return next(iter(self.stored))

    def axis_layouts(self) -> list[Layout]:
        """The stored layouts that are axis permutations (not flat)."""
        return [layout for layout in self.stored if not layout.is_flat]
