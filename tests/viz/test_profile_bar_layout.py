"""The time-per-op chart (viz.plot_profile) drawn from profiles whose numbers are known: the milliseconds each bar
spans (rows of one kind and phase added up, a missing phase drawn as nothing), where the bars of each phase stand,
the twelve costliest kinds, the panel titles and the figure's size, title and refusals."""

import pytest

import viz
from engine.profiler import Profile, Row


def profile() -> Profile:
    # mul runs twice in the forward phase (2 ms and 3 ms: 5 ms), once backward (1 ms); tanh only forward (4 ms)
    return Profile([Row("forward", "mul", 1, 0.002), Row("backward", "mul", 1, 0.001),
                    Row("forward", "tanh", 1, 0.004), Row("forward", "mul", 1, 0.003)], peak_nodes=1234)


def test_each_phase_a_bar_beside_the_other_for_each_kind_the_costliest_on_top() -> None:
    fig = viz.plot_profile({"a": profile(), "b": profile()})
    assert tuple(fig.get_size_inches()) == pytest.approx((11.0, 4.5))  # 5.5 inches a panel
    assert fig._suptitle.get_text() == "where the time goes"
    left, right = fig.axes
    assert left.get_position(original=True).x1 < right.get_position(original=True).x0  # side by side
    for ax, name in ((left, "a"), (right, "b")):
        assert ax.get_title() == f"{name}: 10.0 ms in ops, peak 1,234 nodes"
        assert [t.get_text() for t in ax.get_yticklabels()] == ["tanh", "mul"] and list(ax.get_yticks()) == [0, 1]
        forward, backward = ax.containers
        assert (forward.get_label(), backward.get_label()) == ("forward", "backward")
        assert [b.get_width() for b in forward] == pytest.approx([4.0, 5.0])
        assert [b.get_width() for b in backward] == pytest.approx([0.0, 1.0])  # tanh has no backward time here
        # two phases share each kind's 0.8: forward just below the tick, backward just above
        assert [b.get_height() for b in forward + backward] == pytest.approx([0.4] * 4)
        assert [b.get_y() + b.get_height() / 2 for b in forward] == pytest.approx([-0.2, 0.8])
        assert [b.get_y() + b.get_height() / 2 for b in backward] == pytest.approx([0.2, 1.2])
        assert {t.get_fontsize() for t in ax.get_legend().get_texts()} == {8.0}


def test_one_profile_is_one_panel_titled_by_its_total_alone() -> None:
    fig = viz.plot_profile(Profile([Row("forward", "add", 1, 0.1)], peak_nodes=3), title="one run")
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == pytest.approx((5.5, 4.5))
    assert fig._suptitle.get_text() == "one run"
    assert ax.get_title() == "100.0 ms in ops, peak 3 nodes"
    (bars,) = ax.containers
    assert [b.get_width() for b in bars] == pytest.approx([100.0]) and bars[0].get_height() == pytest.approx(0.8)


def test_only_the_twelve_costliest_kinds_are_drawn() -> None:
    prof = Profile([Row("forward", f"op{k:02d}", 1, 0.001 * (k + 1)) for k in range(13)])
    (ax,) = viz.plot_profile(prof).axes
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"op{k:02d}" for k in range(1, 13)]  # op00 left out


@pytest.mark.parametrize("profiles", [None, {}, {"a": Profile()}])
def test_profiles_that_recorded_nothing_are_refused(profiles: object) -> None:
    with pytest.raises(ValueError) as caught:
        viz.plot_profile(profiles)
    assert str(caught.value) == "plot_profile needs profiles that recorded something: run ops inside engine.profile()"
