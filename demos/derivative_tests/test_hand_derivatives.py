"""A user's test module: hand-derived gradients checked with engine.testing.

Run it with ``pytest demos/derivative_tests`` (chainrule installed with its ``testing``
extra). Each test states a function with Values and its gradient derived by hand;
``assert_derivative`` checks the hand result against the engine and finite differences
at points hypothesis chooses, and shrinks any failure to a small example.
"""

import math

import pytest
from hypothesis import strategies as st

import engine
from engine.testing import DerivativeError, assert_derivative, floats_in

# -- softmax cross-entropy: the gradient with respect to the logits is softmax(z) - onehot(y) ------

LABEL = 1
logits = st.tuples(*[floats_in((-10, 10))] * 3)


def cross_entropy(*z):
    return engine.logsumexp(z) - z[LABEL]


def cross_entropy_grad(*z):
    top = max(z)
    e = [math.exp(zi - top) for zi in z]
    return [ei / sum(e) - (i == LABEL) for i, ei in enumerate(e)]


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot():
    assert_derivative(cross_entropy, cross_entropy_grad, at=logits)


# -- layer norm (Backpropagation: The Engine of Deep Learning, §7.4.3, lines 1051-1070):
# L = sum_i v_i LN(z)_i with LN(z) = gamma * zhat + beta ----

GAMMA = (0.5, 1.5, -1.0, 2.0)
V = (0.3, -1.2, 0.8, 0.5)  # the gradient arriving from above
EPS = 1e-5
inputs = st.tuples(*[floats_in((-3, 3))] * 4).filter(lambda z: max(z) - min(z) > 0.1)


def layer_norm_loss(*z, gamma=GAMMA):
    mu = engine.mean(z)
    sigma = (engine.mean([(zi - mu) ** 2 for zi in z]) + EPS).sqrt()
    return engine.sum([v * g * (zi - mu) / sigma for v, g, zi in zip(V, gamma, z)])


def _normalised(z):
    mu = sum(z) / len(z)
    sigma = math.sqrt(sum((zi - mu) ** 2 for zi in z) / len(z) + EPS)
    return [(zi - mu) / sigma for zi in z], sigma


def layer_norm_grad(*z, gamma=GAMMA):
    # With g = gamma * v: dL/dz = (g - mean(g) - zhat * mean(g * zhat)) / sigma.
    zhat, sigma = _normalised(z)
    g = [gi * vi for gi, vi in zip(gamma, V)]
    mean_g, mean_gz = sum(g) / len(g), sum(gi * zi for gi, zi in zip(g, zhat)) / len(g)
    return [(gi - mean_g - zi * mean_gz) / sigma for gi, zi in zip(g, zhat)]


def chapter_layer_norm_grad(*z, gamma=GAMMA):
    # §7.4.3, line 1069: gamma / sigma * (v - mean(v) - zhat * mean(v * zhat)), gamma outside the means.
    zhat, sigma = _normalised(z)
    mean_v, mean_vz = sum(V) / len(V), sum(vi * zi for vi, zi in zip(V, zhat)) / len(V)
    return [gi / sigma * (vi - mean_v - zi * mean_vz) for gi, vi, zi in zip(gamma, V, zhat)]


def test_layer_norm_gradient():
    assert_derivative(layer_norm_loss, layer_norm_grad, at=inputs)


def test_the_chapters_formula_holds_when_gamma_is_uniform():
    uniform = (1.5,) * 4
    assert_derivative(lambda *z: layer_norm_loss(*z, gamma=uniform),
                      lambda *z: chapter_layer_norm_grad(*z, gamma=uniform), at=inputs)


@pytest.mark.xfail(raises=DerivativeError, strict=True,
                   reason="deliberately wrong: gamma must sit inside the means unless it is uniform")
def test_the_chapters_formula_with_a_per_feature_gamma():
    assert_derivative(layer_norm_loss, chapter_layer_norm_grad, at=inputs)
