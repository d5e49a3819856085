"""Keep freed memory for reuse during training (glibc only; elsewhere a no-op).

numpy allocates a new buffer for most results. glibc serves buffers above its mmap threshold with fresh mappings
and gives them back to the OS when freed, so every MB-sized activation or gradient page-faults in again as zeroed
pages, which here costs more than the arithmetic (3-7x on a small CNN's backward pass). Raising the mmap and trim
thresholds once per process makes malloc serve them from the heap and keep freed ones, like a framework's caching
allocator; the price is that the process keeps its peak memory.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit: bigger buffers are still mapped
TRIM_THRESHOLD = 1 << 30


class _State:
    done = False


def retain_freed_memory() -> bool:
    """Set glibc's thresholds (the first call in a process does it); True when malloc accepted them."""
    if _State.done:
        return True
    _State.done = True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError, TypeError):
        return False
