"""The marks of a drawn network (viz.draw_network) a reader lines up by eye: names, captions, the gap's dots and the
forward/backward words centred on their spots, arrows drawn with arrow heads in their colours, and the message
for a model that is not a network of layers."""

import random

import pytest
from matplotlib.colors import to_rgba

import viz


def draw(sizes):
    from nn import MLP

    random.seed(0)
    (ax,) = viz.draw_network(MLP(sizes[0], list(sizes[1:]))).axes
    return ax


def test_every_word_is_centred_on_its_spot() -> None:
    ax = draw([10, 3, 2])
    names = [t for t in ax.texts if t.get_zorder() == 6]
    dots = [t for t in ax.texts if t.get_text() == "\u22ee"]
    assert len(names) == 7 + 3 + 2 and len(dots) == 1  # ten inputs: seven names and the gap
    assert {(t.get_ha(), t.get_va()) for t in names + dots} == {("center", "center")}
    captions = [t for t in ax.texts if "\n" in t.get_text()]
    assert [t.get_text() for t in captions] == ["input\n10 units", "hidden 1\n3 units",
                                                "output\n2 units: $\\hat{y} = a^{(2)}$"]
    assert {(t.get_ha(), t.get_va()) for t in captions} == {("center", "top")}
    words = [t for t in ax.texts if t.get_text().startswith(("forward:", "backward:"))]
    assert len(words) == 2 and {t.get_ha() for t in words} == {"center"}


def test_a_three_digit_unit_number_is_written_smaller_to_fit_its_circle() -> None:
    ax = draw([100, 1])  # the inputs' last names: x_98, x_99, x_100
    size = {t.get_text(): t.get_fontsize() for t in ax.texts if t.get_zorder() == 6}
    assert (size["$x_{99}$"], size["$x_{100}$"]) == (9.0, 7.0)


def test_arrows_have_heads_and_the_two_directions_their_colours() -> None:
    ax = draw([2, 2, 1])
    arrows = [t for t in ax.texts if hasattr(t, "arrow_patch") and t.arrow_patch is not None]
    assert len(arrows) == 2 * 2 + 2 * 1 + 2
    assert {type(t.arrow_patch.get_arrowstyle()).__name__ for t in arrows} == {"CurveB"}  # "->"
    forward, backward = [t for t in arrows if t.arrow_patch.get_linewidth() == 2.5]
    assert to_rgba(forward.arrow_patch.get_edgecolor()) == to_rgba("#2E86C1")
    assert to_rgba(backward.arrow_patch.get_edgecolor()) == to_rgba("#E74C3C")


@pytest.mark.parametrize("model, name", [([1, 2], "list"), (object(), "object")])
def test_a_model_without_layers_of_neurons_is_refused_by_its_type(model: object, name: str) -> None:
    with pytest.raises(TypeError) as caught:
        viz.draw_network(model)
    assert str(caught.value) == ("draw_network draws an MLP (or a model whose .layers are Layers of neurons), "
                                 f"got {name}")
