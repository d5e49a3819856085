"""Seeds for weight initialization: each layer built without its own seed draws the next generator of a
process-wide sequence that set_seed restarts, so the same code builds the same weights (like torch.manual_seed)."""
from __future__ import annotations

import numpy as np


class _Sequence:
    """The global seed and how many layer generators have been handed out since it was set."""
    seed = 0
    drawn = 0


def set_seed(seed: int) -> None:
    """Restart the sequence: the k-th layer built after this call is initialized from default_rng([seed, k])."""
    _Sequence.seed, _Sequence.drawn = int(seed), 0


def layer_rng(seed: int | None) -> np.random.Generator:
    """default_rng(seed) for a layer given a seed; otherwise the next generator of the global sequence."""
    if seed is not None:
        return np.random.default_rng(seed)
    _Sequence.drawn += 1
    return np.random.default_rng([_Sequence.seed, _Sequence.drawn - 1])
