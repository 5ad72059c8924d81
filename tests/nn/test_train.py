"""fit: batch, stochastic and mini-batch gradient descent, history and validation."""

import random

import pytest

from nn import MLP, SGD, Adam, fit, losses
from nn.data import blobs, moons
from nn.train import accuracy


def test_full_batch_fit_equals_hand_written_gradient_descent() -> None:
    X, y = [[1.0], [2.0], [3.0]], [1.0, 3.0, 5.0]
    random.seed(0)
    model = MLP(1, [1])
    random.seed(0)
    twin = MLP(1, [1])
    fit(model, X, y, losses.mse, SGD(model.parameters(), lr=0.05), epochs=3, progress=False)
    (w,), b = twin.layers[0].neurons[0].w, twin.layers[0].neurons[0].b
    for _ in range(3):  # d/dw mean((wx + b - y)^2) = mean(2 (wx + b - y) x)
        residuals = [w.data * x[0] + b.data - t for x, t in zip(X, y)]
        gw = sum(2 * r * x[0] for r, x in zip(residuals, X)) / 3
        gb = sum(2 * r for r in residuals) / 3
        w.data -= 0.05 * gw
        b.data -= 0.05 * gb
    assert [p.data for p in model.parameters()] == pytest.approx([w.data, b.data], rel=1e-12)


@pytest.mark.parametrize("batch_size, updates", [(None, 1), (1, 60), (16, 4)])
def test_batch_sizes_give_the_expected_number_of_updates(batch_size, updates) -> None:
    X, y = moons(60, seed=1)
    random.seed(0)
    model = MLP(2, [4, 1])
    opt = Adam(model.parameters(), lr=0.01)
    history = fit(model, X, y, losses.bce_with_logits, opt, epochs=2, batch_size=batch_size, progress=False)
    assert opt.steps == 2 * updates
    assert len(history["loss"]) == len(history["accuracy"]) == 2


def test_training_improves_and_reports_validation() -> None:
    X, y = blobs(90, centers=3, std=0.6, seed=2)
    random.seed(0)
    model = MLP(2, [8, 3], activation="tanh", init="xavier")
    history = fit(model, X[:60], y[:60], losses.cross_entropy, Adam(model.parameters(), lr=0.05), epochs=15,
                  batch_size=10, val=(X[60:], y[60:]), progress=False)
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.9 and len(history["val_loss"]) == 15


def test_accuracy_rules() -> None:
    from engine import Value

    assert accuracy([Value(0.3), Value(-2.0)], [1, 0]) == 1.0
    assert accuracy([Value(0.3), Value(-2.0)], [1, 1]) == 0.5
    assert accuracy([Value(0.3), Value(-2.0)], [1, -1]) == 1.0
    assert accuracy([[Value(0.1), Value(0.9)], [Value(2.0), Value(0.0)]], [1, 1]) == 0.5
    assert accuracy([Value(0.3)], [0.7]) is None  # regression


@pytest.mark.parametrize(
    "kwargs, text",
    [({"epochs": 0}, "epochs"), ({"batch_size": 0}, "batch_size"), ({"y": [1]}, "as many targets")],
)
def test_bad_arguments(kwargs, text) -> None:
    model = MLP(1, [1])
    args = dict(model=model, X=[[1.0], [2.0]], y=[1.0, 2.0], loss=losses.mse,
                optimizer=SGD(model.parameters(), lr=0.1), epochs=1, progress=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match=text):
        fit(**args)


@pytest.mark.parametrize("compiled", ["python", "numpy"])
@pytest.mark.parametrize("loss, n_out, task", [(losses.cross_entropy, 3, "blobs"), (losses.bce_with_logits, 1, "moons"),
                                               (losses.hinge, 1, "hinge"), (losses.mse, 2, "mse")])
def test_compiled_fit_follows_the_eager_one(compiled, loss, n_out, task) -> None:
    if task == "blobs":
        X, y = blobs(40, centers=3, seed=0)
    else:
        X, y = moons(40, seed=0)
        if task == "hinge":
            y = [2 * t - 1 for t in y]
        if task == "mse":
            y = [[float(t), 1.0 - t] for t in y]
    runs = []
    for mode in (False, compiled):
        random.seed(0)
        model = MLP(2, [5, n_out], activation="tanh", init="xavier")
        history = fit(model, X, y, loss, Adam(model.parameters(), lr=0.05), epochs=3, batch_size=16,
                      val=(X[:10], y[:10]), progress=False, compiled=mode)
        runs.append((history, [p.data for p in model.parameters()]))
    (h_eager, p_eager), (h_comp, p_comp) = runs
    assert p_comp == pytest.approx(p_eager, rel=1e-9, abs=1e-12)
    for key in set(h_eager) - {"seconds"}:  # the numbers, not the time they took
        assert h_comp[key] == pytest.approx(h_eager[key], rel=1e-9, nan_ok=True), key


def test_compiled_must_be_a_known_back_end() -> None:
    model = MLP(1, [1])
    with pytest.raises(ValueError, match="compiled must be"):
        fit(model, [[1.0]], [1.0], losses.mse, SGD(model.parameters(), lr=0.1), 1, progress=False, compiled="gpu")


LECTURE_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
LECTURE_YS = [1.0, -1.0, -1.0, 1.0]


def squared_error(outs, targets):
    import engine

    return engine.sum([(o - t) ** 2 for o, t in zip(outs, targets)])


def test_the_lectures_cells_with_relu_die_and_fit_says_so_once() -> None:
    import warnings

    from nn import DeadNetworkWarning

    random.seed(0)
    model = MLP(3, [4, 4, 1])  # ReLU hidden units, as micrograd's MLP
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(model, LECTURE_XS, LECTURE_YS, squared_error, SGD(model.parameters(), lr=0.1), 20,
                      progress=False)
    dead = [w for w in caught if issubclass(w.category, DeadNetworkWarning)]
    assert len(dead) == 1 and "activation='tanh'" in str(dead[0].message)
    assert history["loss"][-1] == pytest.approx(4.0, abs=1e-3)  # only the output bias moves, to the mean target


def test_the_lectures_network_is_tanh_everywhere_and_learns() -> None:
    import warnings

    random.seed(0)
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dead-network warning
        history = fit(model, LECTURE_XS, LECTURE_YS, squared_error, SGD(model.parameters(), lr=0.1), 20,
                      progress=False)
    assert history["loss"][-1] < 0.05 < history["loss"][0]
    assert [round(model(x).data) for x in LECTURE_XS] == [1, -1, -1, 1]


def eager_then_compiled(X, y, val, compiled, seed):
    """The histories of two fits of the same seeded model, eagerly and then ``compiled``, with ``val``."""
    runs = []
    for mode in (False, compiled):
        random.seed(seed)
        model = MLP(2, [4, 1], activation="tanh")
        runs.append(fit(model, X, y, losses.bce_with_logits, SGD(model.parameters(), lr=0.1), epochs=2,
                        val=val, progress=False, compiled=mode))
    return runs


@pytest.mark.parametrize("compiled", ["python", "numpy"])
def test_a_validation_set_sharing_the_targets_list_is_still_its_own(compiled) -> None:
    # The compiled path converts a data set once and keeps it; a validation set with other inputs and the
    # very same targets list must not be taken for the training set.
    X, y = moons(30, seed=1)
    runs = eager_then_compiled(X, y, ([[-a, b + 0.5] for a, b in X], y), compiled, seed=1)
    assert runs[1]["val_loss"] == pytest.approx(runs[0]["val_loss"], rel=1e-9)
    assert runs[1]["val_loss"] != pytest.approx(runs[1]["loss"], rel=1e-3)


@pytest.mark.parametrize("compiled", [False, "python", "numpy"])
def test_a_score_of_exactly_zero_predicts_the_negative_class(compiled) -> None:
    model = MLP(2, [1])
    for p in model.parameters():
        p.data = 0.0  # every score is exactly 0 before the one step
    history = fit(model, [[1.0, 2.0], [3.0, -1.0]], [1, 1], losses.bce_with_logits,
                  SGD(model.parameters(), lr=0.1), epochs=1, progress=False, compiled=compiled)
    assert history["accuracy"] == [0.0]


@pytest.mark.parametrize("compiled", ["python", "numpy"])
def test_a_validation_set_sharing_the_inputs_list_has_its_own_targets(compiled) -> None:
    X, y = moons(30, seed=2)
    runs = eager_then_compiled(X, y, (X, [1 - t for t in y]), compiled, seed=2)  # the same inputs, other labels
    assert runs[1]["val_loss"] == pytest.approx(runs[0]["val_loss"], rel=1e-9)
    assert runs[1]["val_accuracy"] == pytest.approx(runs[0]["val_accuracy"])


def sqrt_target_weighted_error(outs, targets):
    import engine

    return engine.sum([(o - t) ** 2 * t ** 0.5 for o, t in zip(outs, targets)]) / len(outs)


def test_compiled_fit_takes_no_gradient_with_respect_to_the_targets() -> None:
    # Targets are data, as in the eager fit: a loss weighting each sample by sqrt(target) trains on a target
    # of 0, where d sqrt(t) / dt is undefined (0.0 ** -0.5).
    X, y = [[1.0], [2.0], [3.0]], [0.0, 1.0, 4.0]
    runs = []
    for mode in (False, "numpy"):
        random.seed(0)
        model = MLP(1, [1])
        history = fit(model, X, y, sqrt_target_weighted_error, SGD(model.parameters(), lr=0.01), epochs=2,
                      val=(X, y), progress=False, compiled=mode)
        runs.append((history["loss"] + history["val_loss"], [p.data for p in model.parameters()]))
    (loss_e, data_e), (loss_c, data_c) = runs
    assert loss_c == pytest.approx(loss_e, rel=1e-9)
    assert data_c == pytest.approx(data_e, rel=1e-9)


@pytest.mark.parametrize("which", ["first layer only", "reversed", "rotated by one", "with an extra unused Value"])
def test_compiled_fit_with_an_optimizer_over_other_parameters_follows_the_eager_one(which) -> None:
    # The flat path maps the optimizer's parameters onto the program's; each of these maps differently.
    from engine import Value

    X, y = moons(24, seed=3)
    runs = []
    for mode in (False, "numpy"):
        random.seed(3)
        model = MLP(2, [3, 1], activation="tanh")
        every, unused = model.parameters(), Value(0.5)
        for p in every:
            p.grad = 0.25  # left from before fit: the optimizer's are zeroed, the frozen ones keep adding to it
        params = {"first layer only": model.layers[0].parameters(), "reversed": every[::-1],
                  "rotated by one": every[1:] + every[:1], "with an extra unused Value": every + [unused]}[which]
        history = fit(model, X, y, losses.bce_with_logits, SGD(params, lr=0.2, momentum=0.5), epochs=3, batch_size=8,
                      progress=False, compiled=mode)
        runs.append((history["loss"], [p.data for p in every + [unused]], [p.grad for p in every + [unused]]))
    (loss_e, data_e, grad_e), (loss_c, data_c, grad_c) = runs
    assert loss_c == pytest.approx(loss_e, rel=1e-9)
    assert data_c == pytest.approx(data_e, rel=1e-9, abs=1e-12)
    assert grad_c == pytest.approx(grad_e, rel=1e-9, abs=1e-12)  # the frozen ones hold what backward added up
    assert (data_c[-1], grad_c[-1]) == (0.5, 0.0)  # a Value the loss never reads gets no gradient and stays put


@pytest.mark.parametrize("n, size, shuffle", [(10, 4, True), (10, 4, False), (7, 7, True), (5, 1, True)])
def test_batch_order_is_the_order_fit_trains_in(n, size, shuffle) -> None:
    """fit with a loss that records which targets each batch held, against nn.batch_order."""
    from nn import SGD, Layer, batch_order, fit, losses

    random.seed(0)
    layer = Layer(1, 1, activation="linear")
    seen = []

    def loss(outputs, targets):
        seen.append(list(targets))
        return losses.mse(outputs, targets)

    fit(layer, [[float(i)] for i in range(n)], list(range(n)), loss, SGD(layer.parameters(), lr=1e-9), 3,
        batch_size=size, progress=False, seed=5, shuffle=shuffle)
    assert seen == [list(b) for epoch in batch_order(n, size, 3, seed=5, shuffle=shuffle) for b in epoch]
    assert all(sorted(sum((list(b) for b in epoch), [])) == list(range(n)) for epoch in batch_order(n, size, 3))
