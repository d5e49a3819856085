"""tensorlet.train: a numpy autodiff library with Keras-like layers that trains models and exports ONNX."""
