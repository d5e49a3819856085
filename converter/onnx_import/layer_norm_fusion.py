"""Graph rewrite run before lowering: layer normalization spelled out by exporters before opset 17
(ReduceMean, Sub, Pow or Mul, ReduceMean, Add eps, Sqrt, Div, then an optional Mul by a scale and Add of a bias)
becomes one LayerNormalization node.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.onnx_import.graph import Graph, Node


class _Reader:
    """Looks up the producers and constants of `graph` for the matcher."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.producers = {name: node for node in graph.nodes for name in node.outputs if name}
        self.consumers = graph.consumers()

    def producer(self, value: str, op_type: str) -> Node | None:
        node = self.producers.get(value)
        return node if node is not None and node.op_type == op_type and node.domain == "" else None

    def scalar(self, value: str) -> float | None:
        constant = self.graph.constants.get(value)
        return float(constant.reshape(())) if constant is not None and constant.size == 1 else None

    def other(self, node: Node, value: str) -> str:
        """The input of a two-input node that is not `value`."""
        return node.inputs[1] if node.inputs[0] == value else node.inputs[0]

    def mean_axes(self, node: Node | None) -> tuple[int, ...] | None:
        """The axes of a keepdims ReduceMean (attribute or constant input), None when not one."""
        if node is None or not node.attr("keepdims", 1):
            return None
        axes = node.attr("axes") if len(node.inputs) < 2 else self.graph.constants.get(node.inputs[1])
        return None if axes is None else tuple(int(a) for a in np.asarray(axes).ravel())


def _trailing(axes: tuple[int, ...], rank: int) -> int | None:
    """How many trailing axes `axes` names (all of them, in any order and sign), else None."""
    normalized = sorted(a % rank for a in axes)
    return len(normalized) if normalized == list(range(rank - len(normalized), rank)) else None


def _deviation(reader: _Reader, centered: str, root: str) -> tuple[list[Node], Node, float] | None:
    """(its nodes, the variance ReduceMean, eps) when root = sqrt(mean(centered^2) + eps), else None."""
    sqrt = reader.producer(root, "Sqrt")
    add = reader.producer(sqrt.inputs[0], "Add") if sqrt else None
    eps_name = next((i for i in add.inputs if reader.scalar(i) is not None), None) if add else None
    variance = reader.producer(reader.other(add, eps_name), "ReduceMean") if eps_name else None
    if variance is None:
        return None
    square = reader.producer(variance.inputs[0], "Pow") or reader.producer(variance.inputs[0], "Mul")
    squares = square is not None and square.inputs[0] == centered and (
        reader.scalar(square.inputs[1]) == 2.0 if square.op_type == "Pow" else square.inputs[1] == centered)
    return ([square, variance, add, sqrt], variance, reader.scalar(eps_name)) if squares else None


def _match(reader: _Reader, div: Node) -> dict | None:
    """The parts of a layer norm ending at `div` = (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) over
    trailing axes of x, or None."""
    centered, root = div.inputs
    sub, deviation = reader.producer(centered, "Sub"), _deviation(reader, centered, root)
    mean = reader.producer(sub.inputs[1], "ReduceMean") if sub else None
    if mean is None or deviation is None or mean.inputs[0] != sub.inputs[0]:
        return None
    nodes, variance, epsilon = deviation
    x = sub.inputs[0]
    shape = reader.graph.shapes.get(x, ())
    axes = reader.mean_axes(mean)
    count = _trailing(axes, len(shape)) if axes and shape and axes == reader.mean_axes(variance) else None
    if count is None:
        return None
    return dict(x=x, count=count, epsilon=epsilon, nodes=[mean, sub] + nodes + [div], output=div.outputs[0],
                shape=shape[len(shape) - count:])


def _affine(reader: _Reader, match: dict) -> None:
    """Extend a match over a following Mul by a constant scale and Add of a constant bias, when present."""
    for op_type, key in (("Mul", "scale"), ("Add", "bias")):
        consumers = reader.consumers.get(match["output"], [])
        if len(consumers) != 1 or consumers[0].op_type != op_type or match["output"] in reader.graph.outputs:
            return
        node = consumers[0]
        constant = reader.graph.constants.get(reader.other(node, match["output"]))
        try:
            if constant is None or np.broadcast_shapes(constant.shape, match["shape"]) != tuple(match["shape"]):
                return
        except ValueError:
            return
        match[key], match["output"] = constant, node.outputs[0]
        match["nodes"].append(node)


def fuse_layer_norm(graph: Graph) -> None:
    """Replace every spelled-out layer normalization of `graph` by a LayerNormalization node, in place."""
    for div in [n for n in graph.nodes if n.op_type == "Div" and n.domain == ""]:
        reader = _Reader(graph)
        match = _match(reader, div)
        if match is None:
            continue
        _affine(reader, match)
        if not reader.graph.self_contained(match["nodes"], match["output"], reader.consumers):
            continue
        output = match["output"]
        scale = np.broadcast_to(match.get("scale", np.float32(1)), match["shape"]).astype(np.float32)
        graph.constants[f"{output}/scale"] = scale
        inputs = [match["x"], f"{output}/scale"]
        if "bias" in match:
            graph.constants[f"{output}/bias"] = np.asarray(match["bias"], np.float32)
            inputs.append(f"{output}/bias")
        fused = Node(name=f"LayerNormalization({output})", op_type="LayerNormalization", domain="", inputs=inputs,
                     outputs=[output], attrs={"axis": -match["count"], "epsilon": match["epsilon"]},
                     opset=div.opset, since_version=17)
        used = {id(n) for n in match["nodes"]}
        graph.nodes = [fused if output in n.outputs else n for n in graph.nodes
                       if id(n) not in used or output in n.outputs]
