"""Optimizers, clipping and learning-rate schedules against PyTorch, step by step: the same network (a small CNN
with BatchNorm and an MLP head), the same initial weights and batches, the same weights after every step."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import Sequential
from tensorlet.train.layers import Activation, BatchNorm, Conv2D, Dense, Flatten, MaxPool2D
from tensorlet.train.optim import SGD, Adam, AdamW, CosineDecay, RMSprop, StepDecay, Warmup

torch.set_num_threads(1)
STEPS, BATCH = 4, 8


def networks(seed: int = 0):
    """(ours, torch's) with equal weights: conv 2->4 3x3 same (no bias: BN follows), BN, relu, pool,
    dense 16->5 relu, dense 5->3."""
    ours = Sequential([Conv2D(4, 3, padding="same", use_bias=False, seed=seed), BatchNorm(), Activation("relu"),
                       MaxPool2D(), Flatten(), Dense(5, activation="relu", seed=seed + 1), Dense(3, seed=seed + 2)],
                      input_shape=(2, 4, 4))
    nn = torch.nn
    theirs = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                           nn.Flatten(), nn.Linear(16, 5), nn.ReLU(), nn.Linear(5, 3))
    conv, bn, d1, d2 = ours.layers[0], ours.layers[1], ours.layers[5], ours.layers[6]
    rng = np.random.default_rng(seed)
    bn.params["gamma"].data[:] = rng.uniform(0.5, 1.5, 4)
    bn.params["beta"].data[:] = rng.standard_normal(4) * 0.1
    with torch.no_grad():
        theirs[0].weight.copy_(torch.from_numpy(conv.params["kernel"].data))
        theirs[1].weight.copy_(torch.from_numpy(bn.params["gamma"].data))
        theirs[1].bias.copy_(torch.from_numpy(bn.params["beta"].data))
        theirs[5].weight.copy_(torch.from_numpy(d1.params["kernel"].data.T))
        theirs[5].bias.copy_(torch.from_numpy(d1.params["bias"].data))
        theirs[7].weight.copy_(torch.from_numpy(d2.params["kernel"].data.T))
        theirs[7].bias.copy_(torch.from_numpy(d2.params["bias"].data))
    return ours, theirs


def their_weights(theirs) -> list[np.ndarray]:
    """Torch's parameters in our order and layouts."""
    conv, bn, d1, d2 = theirs[0], theirs[1], theirs[5], theirs[7]
    return [t.detach().numpy() for t in (conv.weight, bn.weight, bn.bias)] + [
        d1.weight.detach().numpy().T, d1.bias.detach().numpy(), d2.weight.detach().numpy().T, d2.bias.detach().numpy()]


def data(seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((STEPS * BATCH, 2, 4, 4)).astype(np.float32), rng.integers(0, 3, STEPS * BATCH)


def train_both(ours_opt, make_torch_opt, clip=None, torch_schedule=None):
    """Train both one step at a time with ours.fit over single batches; compare all weights after each step."""
    ours, theirs = networks()
    ours.compile(ours_opt, "softmax_cross_entropy")
    optimizer = make_torch_opt(theirs.parameters())
    scheduler = torch_schedule(optimizer) if torch_schedule else None
    x, y = data()
    for step in range(STEPS):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        ours.fit(x[batch], y[batch], epochs=1, batch_size=BATCH, shuffle=False, verbose=0)
        optimizer.zero_grad()
        TF.cross_entropy(theirs(torch.from_numpy(x[batch])), torch.from_numpy(y[batch])).backward()
        if clip:
            clip(theirs.parameters())
        optimizer.step()
        if scheduler:
            scheduler.step()
        for mine, reference in zip(ours.trainable_weights, their_weights(theirs)):
            np.testing.assert_allclose(mine.data, reference, rtol=1e-5, atol=1e-5, err_msg=f"step {step}")
    np.testing.assert_allclose(ours.layers[1].buffers["moving_var"], theirs[1].running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("ours, theirs", [
    (lambda: SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda: SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (lambda: SGD(0.1, momentum=0.9, dampening=0.2, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01)),
    (lambda: SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.05),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05)),
    (lambda: Adam(0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (lambda: Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, weight_decay=0.01),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    (lambda: AdamW(0.01, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    (lambda: RMSprop(0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    (lambda: RMSprop(0.01, rho=0.9, momentum=0.5, centered=True, weight_decay=0.01),
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
], ids=["sgd", "momentum", "dampening-decay", "nesterov", "adam", "adam-l2", "adamw", "rmsprop", "rmsprop-all"])
def test_optimizer_matches_torch(ours, theirs):
    train_both(ours(), theirs)


def test_clipping_matches_torch():
    train_both(SGD(0.5, momentum=0.9, clipnorm=0.3), lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
               clip=lambda p: torch.nn.utils.clip_grad_norm_(list(p), 0.3))
    train_both(Adam(0.01, clipvalue=0.02), lambda p: torch.optim.Adam(p, lr=0.01),
               clip=lambda p: torch.nn.utils.clip_grad_value_(list(p), 0.02))


def test_scheduled_learning_rate_matches_torch():
    train_both(SGD(StepDecay(0.2, step_size=2, gamma=0.5), momentum=0.9),
               lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9),
               torch_schedule=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5))


def _torch_lrs(make_scheduler, steps: int, lr: float = 0.1) -> list[float]:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize("ours, theirs", [
    (StepDecay(0.1, step_size=3, gamma=0.3), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.3)),
    (CosineDecay(0.1, total_steps=8, min_lr=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01)),
    (Warmup(0.1, warmup_steps=4, start_factor=0.25),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4)),
], ids=["step", "cosine", "warmup"])
def test_schedules_match_torch(ours, theirs):
    steps = 9 if isinstance(ours, CosineDecay) else 12
    np.testing.assert_allclose([ours(s) for s in range(steps)], _torch_lrs(theirs, steps), rtol=1e-9, atol=1e-12)


def test_warmup_then_cosine():
    schedule = Warmup(CosineDecay(1.0, total_steps=10), warmup_steps=5)
    assert [schedule(s) for s in range(6)] == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert schedule(15) == pytest.approx(0.0) and schedule(10) == pytest.approx(0.5)


def test_optimizer_state_round_trip_and_errors():
    ours, _ = networks()
    ours.compile(Adam(0.01), "softmax_cross_entropy")
    x, y = data()
    ours.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
    state = ours.compiled.optimizer.state_dict()
    assert int(state["iterations"]) == STEPS and "exp_avg/0" in state
    fresh = Adam(0.01).bind(ours.trainable_weights)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.state["exp_avg_sq"][3], ours.compiled.optimizer.state["exp_avg_sq"][3])
    state["exp_avg/0"] = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="shape"):
        fresh.load_state_dict(state)
    with pytest.raises(ValueError, match="Nesterov"):
        SGD(0.1, nesterov=True)
