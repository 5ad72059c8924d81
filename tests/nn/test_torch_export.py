"""``nn.to_torch``: a model as a PyTorch module, checked against torch.nn's own layers and against ``fit``."""

import random
import sys

import numpy as np
import pytest

import nn
from engine.testing.oracles import TORCH_MISSING
from nn import MLP, Adam, fit, losses


def test_without_pytorch_the_error_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install torch==2\.13\.0.*nn\.to_torch"):
        nn.to_torch(MLP(2, [1]))


torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def sequential(model: MLP) -> "torch.nn.Module":
    """The torch.nn counterpart of a ReLU MLP, float64, with no weights of its own yet."""
    sizes = [model.config["nin"]] + list(model.config["nouts"])
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).double()


@pytest.mark.parametrize("nouts", [[8, 3], [5, 1], [6, 6, 2]])
def test_outputs_and_gradients_are_torch_nns_own(nouts) -> None:
    random.seed(1)
    model = MLP(4, nouts)
    module = nn.to_torch(model, device="cpu")
    reference = sequential(model)
    reference.load_state_dict(module.state_dict())  # the same names and shapes as torch.nn.Sequential's
    x = torch.randn(6, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    mine, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, want = module(mine), reference(theirs)
    want = want[:, 0] if nouts[-1] == 1 else want  # a model of one output gives one number per sample
    assert out.shape == want.shape and torch.allclose(out, want, rtol=1e-12, atol=1e-14)
    adjoint = torch.randn(out.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    (out * adjoint).sum().backward()
    (want * adjoint).sum().backward()
    assert torch.allclose(mine.grad, theirs.grad, rtol=1e-12, atol=1e-14)
    for (name, p), (name_, q) in zip(module.named_parameters(), reference.named_parameters()):
        assert name == name_ and torch.allclose(p.grad, q.grad, rtol=1e-12, atol=1e-14), name


def data(n: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 2] > 1).astype(int)  # three classes
    return X, y


def test_ten_adam_steps_in_pytorch_give_fits_parameters() -> None:
    X, y = data()
    random.seed(3)
    ours, theirs = MLP(3, [8, 3]), MLP(3, [8, 3])
    nn.load_torch_state(theirs, {n: np.reshape([v.data for v in vs], s) for n, s, vs in ours.torch_state()})
    fit(ours, X, y.tolist(), losses.cross_entropy, Adam(ours.parameters(), lr=0.01), epochs=1, batch_size=8,
        shuffle=False, progress=False, compiled="numpy")  # 80 samples: 10 steps
    module = nn.to_torch(theirs, losses.cross_entropy, device="cpu")
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
    for start in range(0, 80, 8):
        optimizer.zero_grad()
        per_sample, _ = module(torch.tensor(X[start:start + 8]), torch.tensor(y[start:start + 8]))
        per_sample.mean().backward()
        optimizer.step()
    module.write_back()
    a = np.array([p.data for p in ours.parameters()])
    b = np.array([p.data for p in theirs.parameters()])
    assert np.abs(a - b).max() <= 1e-12 * max(1.0, np.abs(a).max())
    assert np.abs(a - np.array([p.data for p in MLP(3, [8, 3]).parameters()])).max() > 1e-3  # they did move


def test_saved_and_loaded_with_torch_and_written_back(tmp_path) -> None:
    random.seed(4)
    model, fresh = MLP(3, [4, 2]), MLP(3, [4, 2])
    module = nn.to_torch(model, device="cpu")
    torch.save(module.state_dict(), tmp_path / "model.pt")
    other = nn.to_torch(fresh, device="cpu")
    other.load_state_dict(torch.load(tmp_path / "model.pt"))
    other.write_back()
    x = [0.3, -0.2, 0.9]
    assert [v.data for v in fresh(x)] == [v.data for v in model(x)]


def test_losses_with_class_labels_and_real_targets() -> None:
    random.seed(5)
    model = MLP(2, [4, 3])
    module = nn.to_torch(model, losses.cross_entropy, device="cpu")
    x = torch.tensor([[0.5, -1.0], [2.0, 0.1]], dtype=torch.float64)
    per_sample, scores = module(x, torch.tensor([2, 0]))
    for i, label in enumerate([2, 0]):
        out = model(x[i].tolist())
        assert per_sample[i].item() == pytest.approx(losses.cross_entropy([out], [label]).data, rel=1e-12)
        assert scores[i].tolist() == pytest.approx([v.data for v in out], rel=1e-12)
    regression = MLP(2, [3, 1])
    module = nn.to_torch(regression, losses.mse, device="cpu")
    per_sample, _ = module(x, torch.tensor([1.0, -1.0], dtype=torch.float64))
    assert per_sample[1].item() == pytest.approx((regression(x[1].tolist()).data + 1.0) ** 2, rel=1e-12)


def test_a_model_of_unknown_input_size_needs_an_example() -> None:
    model = nn.Sequential(nn.Layer(2, 3), nn.Layer(3, 1, activation="linear"))
    with pytest.raises(TypeError, match="pass example="):
        nn.to_torch(model)
    module = nn.to_torch(model, example=[0.0, 0.0], device="cpu")
    assert module(torch.zeros(4, 2, dtype=torch.float64)).shape == (4,)
    with pytest.raises(TypeError, match="takes a chainrule model"):
        nn.to_torch(torch.nn.Linear(2, 1))


def test_a_layer_used_twice_trains_and_writes_back_as_one() -> None:
    random.seed(6)
    shared = nn.Layer(3, 3, activation="tanh")
    model = nn.Sequential(shared, shared, nn.Layer(3, 1, activation="linear"))
    module = nn.to_torch(model, example=[0.1, 0.2, 0.3], device="cpu")
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    x = torch.randn(8, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    for _ in range(5):
        optimizer.zero_grad()
        (module(x) ** 2).mean().backward()
        optimizer.step()
    trained = module(x).detach()
    module.write_back()
    eager = torch.tensor([model(row.tolist()).data for row in x], dtype=torch.float64)
    assert torch.allclose(trained, eager, rtol=1e-12, atol=1e-14)


def test_a_batch_norms_running_averages_are_buffers_and_training_mode_is_refused() -> None:
    random.seed(7)
    model = nn.Sequential(nn.Layer(3, 4), nn.BatchNorm(4), nn.Layer(4, 2, activation="linear"))
    with pytest.raises(ValueError, match=r"in training mode takes its statistics over the whole batch.*model.eval"):
        nn.to_torch(model, losses.cross_entropy, example=[0.1, 0.2, 0.3])
    model.eval()
    module = nn.to_torch(model, losses.cross_entropy, example=[0.1, 0.2, 0.3], device="cpu")
    assert "1.running_var" in dict(module.named_buffers()) and "1.running_var" in module.state_dict()
    assert "1.running_var" not in dict(module.named_parameters())
    before = module.get_buffer("1.running_var").clone()
    optimizer = torch.optim.AdamW(module.parameters(), lr=0.1)  # decays every parameter it is given
    x, t = torch.randn(8, 3, dtype=torch.float64), torch.randint(0, 2, (8,))
    for _ in range(3):
        optimizer.zero_grad()
        module(x, t)[0].mean().backward()
        optimizer.step()
    assert torch.equal(module.get_buffer("1.running_var"), before)
    module.write_back()  # the trained layers into the model, the running averages as they were
    per_sample, _ = module(x, t)
    assert per_sample[0].item() == pytest.approx(losses.cross_entropy([model(x[0].tolist())], [int(t[0])]).data,
                                                 rel=1e-12)


def test_an_input_changed_in_place_before_backward_is_refused_and_copies_work() -> None:
    import copy

    random.seed(8)
    model = MLP(3, [4, 1])
    module = nn.to_torch(model, device="cpu")
    x = torch.randn(5, 3, dtype=torch.float64)
    out = module(x)
    x.mul_(100.0)  # as PyTorch's own layers, the backward pass needs the input as it was
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
    twin = copy.deepcopy(module)  # as torch.optim.swa_utils.AveragedModel copies a model
    assert torch.equal(twin(x), module(x))
    stand_in = {name: torch.zeros_like(p) for name, p in module.named_parameters()}
    assert torch.equal(torch.func.functional_call(module, stand_in, (x,)), torch.zeros(5, dtype=torch.float64))
