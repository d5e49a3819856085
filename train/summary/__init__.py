"""TensorBoard event files written by our own small writer (TFRecord framing, hand-encoded protobuf)."""
from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
