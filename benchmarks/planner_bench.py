"""Memory planner benchmark: arena bytes against the lower bound max_t(sum of live tensor bytes).

Prints a table and JSON for random chains, random residual graphs and random DAGs (seeded), plus the worst ratio.
Usage: python benchmarks/planner_bench.py [--seed N] [--graphs N]
"""
import argparse
import json
import time

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.planner import plan


def random_graph(rng: np.random.Generator, kind: str) -> ir.Model:
    n = int(rng.integers(4, 60))
    sizes = rng.integers(1, 20000, n)
    edges = []
    for k in range(n - 1):
        ins = {k}
        if kind == "residual" and k >= 2:
            ins.add(k - 2)
        elif kind == "dag":
            ins |= set(rng.integers(0, k + 1, int(rng.integers(0, 3))).tolist())
        edges.append(sorted(ins))
    tensors = [ir.Tensor(f"t{i}", (int(s),)) for i, s in enumerate(sizes)]
    ops = [ir.Operator(ir.OpCode.ADD, ins, [k + 1]) for k, ins in enumerate(edges)]
    return ir.Model(tensors, ops, [0], [n - 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--graphs", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    results = {}
    for kind in ("chain", "residual", "dag"):
        ratios, seconds = [], 0.0
        for _ in range(args.graphs):
            model = random_graph(rng, kind)
            start = time.perf_counter()
            ratios.append(plan(model).ratio)
            seconds += time.perf_counter() - start
        results[kind] = {"graphs": args.graphs, "mean_ratio": float(np.mean(ratios)),
                         "worst_ratio": float(np.max(ratios)), "ms_per_plan": 1000 * seconds / args.graphs}
    print(f"{'graphs':<10}{'mean arena/bound':>18}{'worst':>8}{'ms/plan':>9}")
    for kind, r in results.items():
        print(f"{kind:<10}{r['mean_ratio']:>18.4f}{r['worst_ratio']:>8.4f}{r['ms_per_plan']:>9.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
