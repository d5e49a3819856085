"""ONNX export of trained models: OnnxGraph (what layers write into) and export_onnx."""
from .export import export_onnx
from .graph import OnnxGraph

__all__ = ["OnnxGraph", "export_onnx"]
