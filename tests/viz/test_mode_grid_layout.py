"""The forward/reverse cost grids (viz.plot_mode_grid) as a reader sees them: the figure's size, the sizes on
the ticks, the smallest size at the bottom left, the numbers in the cells, one colour bar for all panels at 85%
of their height with its decades and its 2s and 5s labelled, and the refusals of grids with nothing to draw."""

import pytest

import viz

RATIOS = {(2, 2): 0.5, (8, 2): 2.0, (2, 8): 0.25, (8, 8): 1.0}


def test_two_panels_with_the_sizes_on_their_ticks_and_the_smallest_at_the_bottom_left() -> None:
    fig = viz.plot_mode_grid([2, 8], {"a": RATIOS, "b": RATIOS})
    left, right, bar = fig.axes
    # 4.6 inches a panel and 1.2 for the colour bar, 4.4 high; no title unless one is asked for
    assert tuple(fig.get_size_inches()) == pytest.approx((10.4, 4.4))
    assert fig._suptitle is None
    for ax in (left, right):
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "8"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "8"]
        # m = 2 is the bottom row: the y axis runs up, as the tick labels read
        assert ax.images[0].origin == "lower" and ax.get_ylim() == (-0.5, 1.5)
    # each cell's ratio written at the cell's centre in 8-point type
    assert [(t.get_text(), t.get_position()) for t in left.texts] == [("0.5", (0, 0)), ("2", (1, 0)),
                                                                      ("0.25", (0, 1)), ("1", (1, 1))]
    assert {(t.get_fontsize(), t.get_ha(), t.get_va()) for t in left.texts + right.texts} == {(8.0, "center", "center")}


def test_one_colour_bar_takes_its_room_from_both_panels_at_85_percent_of_their_height() -> None:
    fig = viz.plot_mode_grid([2, 8], {"a": RATIOS, "b": RATIOS})
    left, right, bar = (ax.get_position(original=True) for ax in fig.axes)
    assert left.width == pytest.approx(right.width) and left.height == pytest.approx(right.height)
    assert bar.height == pytest.approx(0.85 * left.height)
    assert (bar.y0 + bar.y1) / 2 == pytest.approx((left.y0 + left.y1) / 2)  # centred beside the panels


def test_the_colour_bar_labels_its_decades_and_its_twos_and_fives() -> None:
    fig = viz.plot_mode_grid([2, 8], {"a": RATIOS})
    bar = fig.axes[-1]
    fig.canvas.draw()
    assert [t.get_text() for t in bar.get_yticklabels()] == ["0.1", "1", "10"]
    minor = [(round(float(x), 6), t.get_text()) for x, t in zip(bar.yaxis.get_minorticklocs(),
                                                                 bar.get_yticklabels(minor=True))]
    # 0.2 to 0.9 and 2 to 9: only 0.2, 0.5, 2 and 5 carry a number, the rest are bare ticks
    assert [x for x, _ in minor] == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [text for _, text in minor] == ["0.2", "", "", "0.5", "", "", "", "", "2", "", "", "5", "", "", "", ""]


@pytest.mark.parametrize("sizes, panels", [([], {"a": {}}), ([1], {})])
def test_a_grid_with_no_sizes_or_no_panels_is_refused(sizes: list, panels: dict) -> None:
    with pytest.raises(ValueError) as caught:
        viz.plot_mode_grid(sizes, panels)
    assert str(caught.value) == f"plot_mode_grid needs a ratio for every (n, m) of sizes {sizes} in each panel"
