"""Optimizers with PyTorch's exact update rules (SGD, Adam, AdamW, RMSprop), gradient clipping and
learning-rate schedules.

    opt = Adam(lr=Warmup(CosineDecay(1e-3, total_steps=1000), warmup_steps=100), clipnorm=1.0).bind(params)
    ...; loss.backward(); opt.step(); opt.zero_grad()
"""
from .adam import Adam, AdamW
from .clipping import clip_grad_norm, clip_grad_value
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import CosineDecay, Schedule, StepDecay, Warmup
from .sgd import SGD

OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get_optimizer(spec: str | Optimizer) -> Optimizer:
    """An optimizer by name (sgd, adam, adamw, rmsprop; default settings) or the object itself."""
    if isinstance(spec, Optimizer):
        return spec
    if spec.lower() not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {spec!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[spec.lower()]()


__all__ = ["Adam", "AdamW", "CosineDecay", "OPTIMIZERS", "Optimizer", "RMSprop", "SGD", "Schedule", "StepDecay",
           "Warmup", "clip_grad_norm", "clip_grad_value", "get_optimizer"]
