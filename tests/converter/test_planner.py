"""Memory planner: live tensors never share bytes, and the arena stays near the lower bound."""
import numpy as np
from hypothesis import given, settings, strategies as st

from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan, lifetimes, plan


def graph(sizes: list[int], edges: list[list[int]]) -> ir.Model:
    """Tensor 0 is the input; op k reads tensors edges[k] (earlier ones) and writes tensor k+1 of sizes[k+1] floats.
    The planner only looks at the wiring, so every op is written as an ADD."""
    tensors = [ir.Tensor(f"t{i}", (n,)) for i, n in enumerate(sizes)]
    ops = [ir.Operator(ir.OpCode.ADD, ins, [k + 1]) for k, ins in enumerate(edges)]
    return ir.Model(tensors, ops, [0], [len(sizes) - 1])


def chain(sizes: list[int]) -> ir.Model:
    return graph(sizes, [[k] for k in range(len(sizes) - 1)])


def residual(sizes: list[int], skip: int) -> ir.Model:
    """Every op reads the previous tensor and, when it can, the one `skip` steps back (a residual add)."""
    return graph(sizes, [[k] + ([k - skip] if k - skip >= 0 else []) for k in range(len(sizes) - 1)])


def assert_no_live_overlap(model: ir.Model, offsets: dict[int, int]) -> None:
    """Independent check: for every step, the byte ranges of the tensors live at that step are disjoint."""
    spans = lifetimes(model)
    for step in range(len(model.operators)):
        live = sorted((offsets[i], offsets[i] + model.tensors[i].nbytes, i)
                      for i, (a, b) in spans.items() if a <= step <= b)
        for (_, end, i), (start, _, j) in zip(live, live[1:]):
            assert end <= start, f"tensors {i} and {j} overlap at step {step}"


def test_lifetimes_of_a_residual_block():
    model = residual([4, 4, 4, 4], skip=1)   # op0: t0->t1, op1: t1,t0->t2, op2: t2,t1->t3
    assert lifetimes(model) == {0: (0, 1), 1: (0, 2), 2: (1, 2), 3: (2, 2)}


def test_chain_reuses_memory_with_two_live_buffers():
    model = chain([100, 100, 100, 100, 100])
    result = apply_plan(model)
    assert result.lower_bound == 800                   # two 400-byte tensors live per step
    assert result.arena_bytes == 800                   # ping-pong between two slots
    assert {t.arena_offset for t in model.tensors} == {0, 400}


def test_offsets_are_aligned_and_inside_the_arena():
    model = chain([3, 5, 7, 1, 9])
    result = apply_plan(model)
    for t in model.tensors:
        assert t.arena_offset % ir.ARENA_ALIGNMENT == 0
        assert t.arena_offset + t.nbytes <= result.arena_bytes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=2, max_size=40))
def test_random_chains_never_overlap_and_stay_near_the_bound(sizes):
    model = chain(sizes)
    result = plan(model)
    assert_no_live_overlap(model, result.offsets)
    assert result.arena_bytes <= 1.25 * result.lower_bound + ir.ARENA_ALIGNMENT * 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=3, max_size=40), st.integers(1, 4))
def test_random_residual_graphs_never_overlap_and_stay_near_the_bound(sizes, skip):
    model = residual(sizes, skip)
    result = plan(model)
    assert_no_live_overlap(model, result.offsets)
    assert result.arena_bytes <= 1.25 * result.lower_bound + ir.ARENA_ALIGNMENT * 3


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_random_dags_never_overlap(data):
    n = data.draw(st.integers(2, 30))
    sizes = data.draw(st.lists(st.integers(1, 3000), min_size=n, max_size=n))
    edges = [sorted(set(data.draw(st.lists(st.integers(0, k), min_size=1, max_size=3)))) for k in range(n - 1)]
    model = graph(sizes, edges)
    result = plan(model)
    assert_no_live_overlap(model, result.offsets)
    assert result.arena_bytes >= result.lower_bound


def test_realistic_cnn_shapes_are_within_bound():
    # MobileNet-like activations shrinking spatially while channels grow, with a residual every other block
    sizes = [96 * 96 * 3] + [int(np.prod(s)) for s in [(48, 48, 8), (48, 48, 16), (24, 24, 32), (24, 24, 32),
                                                        (12, 12, 64), (12, 12, 64), (6, 6, 128), (6, 6, 128),
                                                        (3, 3, 256), (1, 1, 256), (2,)]]
    for model in (chain(sizes), residual(sizes, 2)):
        result = plan(model)
        assert_no_live_overlap(model, result.offsets)
        assert result.ratio <= 1.25, result
