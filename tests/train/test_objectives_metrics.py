"""Loss objects (what compile takes) against PyTorch's losses, and the accuracy / top-k metrics."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import Tensor
from tensorlet.train.metrics import TopKAccuracy, accuracy, get_metric, top_k_accuracy
from tensorlet.train.objectives import (BinaryCrossEntropy, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy,
                                        get_loss)

rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((6, 4)).astype(np.float32)


@pytest.mark.parametrize("loss, target, reference", [
    (SoftmaxCrossEntropy(), rng.integers(0, 4, 6), lambda p, t: TF.cross_entropy(p, t)),
    (SoftmaxCrossEntropy(label_smoothing=0.1), rng.integers(0, 4, 6),
     lambda p, t: TF.cross_entropy(p, t, label_smoothing=0.1)),
    (BinaryCrossEntropy(), rng.random((6, 4)).astype(np.float32), TF.binary_cross_entropy_with_logits),
    (MeanSquaredError(), rng.standard_normal((6, 4)).astype(np.float32), TF.mse_loss),
    (MeanAbsoluteError(), rng.standard_normal((6, 4)).astype(np.float32), TF.l1_loss),
], ids=["cross-entropy", "label-smoothing", "bce", "mse", "mae"])
def test_losses_match_torch(loss, target, reference):
    prediction = Tensor(LOGITS, requires_grad=True)
    value = loss(prediction, target)
    value.backward()
    theirs = torch.tensor(LOGITS, requires_grad=True)
    expected = reference(theirs, torch.from_numpy(target))
    expected.backward()
    assert float(value.data) == pytest.approx(expected.item(), rel=1e-5)
    np.testing.assert_allclose(prediction.grad, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_loss_names():
    assert isinstance(get_loss("sparse_categorical_crossentropy"), SoftmaxCrossEntropy)
    assert isinstance(get_loss("mse"), MeanSquaredError)
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss("hinge")


def test_binary_targets_may_be_flat():
    value = BinaryCrossEntropy()(Tensor(np.zeros((4, 1), np.float32)), np.array([0, 1, 1, 0]))
    assert float(value.data) == pytest.approx(np.log(2))


def test_accuracy_and_top_k():
    scores = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.2, 0.3, 0.5], [0.3, 0.45, 0.25]], np.float32)
    labels = np.array([1, 1, 2, 2])
    assert accuracy(scores, labels) == 0.5
    assert accuracy(scores, np.eye(3)[labels]) == 0.5
    assert top_k_accuracy(scores, labels, k=2) == 0.75
    reference = torch.topk(torch.from_numpy(scores), 2).indices.numpy()
    assert top_k_accuracy(scores, labels, k=2) == np.mean([l in r for l, r in zip(labels, reference)])
    assert top_k_accuracy(scores, labels, k=5) == 1.0
    assert accuracy(np.array([[2.0], [-1.0], [0.5]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert get_metric("top_2_accuracy").name == "top_2_accuracy" and TopKAccuracy(3).kwargs == {"k": 3}
    with pytest.raises(ValueError, match="unknown metric"):
        get_metric("f1")
