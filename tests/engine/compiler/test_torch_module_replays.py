"""``Program.to_torch`` on ``Program.batch``'s own path (a second backward, a sum that overflows): the module's
current weights, PyTorch's incoming gradient, and only the gradients asked for, against hand-derived numbers."""

import pytest

import engine
from engine import Value
from engine.testing.oracles import TORCH_MISSING

torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def test_a_second_backward_reads_the_modules_weights_and_pytorchs_gradient() -> None:
    w = Value(1.0)
    module = engine.compile(lambda x: (x * w) ** 2 + x.sqrt() * w, 1.0).to_torch(device="cpu")
    with torch.no_grad():
        module.weights.fill_(3.0)  # the module's weight, not the Value's (still 1.0)
    x = torch.tensor([0.0, 4.0], dtype=torch.float64)  # sqrt's derivative at 0 is undefined: x wants no gradient
    out = module(x)
    assert out.tolist() == [0.0, 150.0]  # (4 * 3)^2 + 2 * 3
    weights = torch.tensor([1.0, 3.0], dtype=torch.float64)
    (out * weights).sum().backward(retain_graph=True)
    # d/dw = 2 x^2 w + sqrt(x): 0 at x = 0, 98 at x = 4, weighted by 1 and 3
    assert module.weights.grad.tolist() == [294.0]
    (out * weights).sum().backward()  # the frame went back after the first backward: Program.batch's path
    assert module.weights.grad.tolist() == [588.0]
    assert w.data == 1.0


def test_a_parameters_gradient_that_overflows_only_when_summed_is_an_error() -> None:
    w = Value(1.0)
    module = engine.compile(lambda x: x * w, 1.0).to_torch(device="cpu")
    out = module(torch.tensor([1e308, 1e308], dtype=torch.float64))
    assert out.tolist() == [1e308, 1e308]
    with pytest.raises(FloatingPointError) as caught:
        out.sum().backward()  # each sample's d/dw is 1e308; their sum is past float64's range
    assert str(caught.value) == ("to_torch: a parameter's gradient, summed over the batch, is not finite (every "
                                 "sample's own is): the sum overflowed; scale the loss down, or use smaller batches")
