"""SummaryWriter: TensorBoard event files (scalars and histograms) written without TensorFlow.

A file is a sequence of TFRecords (length, masked CRC-32C of the length, data, masked CRC-32C of the data),
each holding one Event; the first Event carries the file version "brain.Event:2".
"""
from __future__ import annotations

import os
import socket
import struct
import time
from pathlib import Path

import numpy as np

from . import proto
from .crc32c import masked_crc32c


def record(data: bytes) -> bytes:
    """data framed as one TFRecord."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


class SummaryWriter:
    """Appends events to log_dir/events.out.tfevents.<time>.<host>.<pid> (made on construction)."""

    def __init__(self, log_dir: str | Path):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        now = time.time()
        self.path = self.log_dir / f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}"
        self._file = open(self.path, "wb")
        self._write(proto.event(now, 0, file_version="brain.Event:2"))

    def _write(self, event: bytes) -> None:
        self._file.write(record(event))

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """One scalar point of the series tag."""
        self._write(proto.event(time.time(), step, values=[proto.scalar_value(tag, float(value))]))

    def add_histogram(self, tag: str, values: np.ndarray, step: int, bins: int = 30) -> None:
        """The distribution of values (flattened) in bins equal-width buckets."""
        flat = np.asarray(values, np.float64).ravel()
        low, high = (float(flat.min()), float(flat.max())) if flat.size else (0.0, 0.0)
        counts, edges = np.histogram(flat, bins=bins, range=(low, high if high > low else low + 1e-12))
        histo = proto.histogram(low, high, float(flat.size), float(flat.sum()), float(np.dot(flat, flat)),
                                edges[1:].tolist(), counts.astype(np.float64).tolist())
        self._write(proto.event(time.time(), step, values=[proto.histogram_value(tag, histo)]))

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()
