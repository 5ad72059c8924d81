"""Plots written to files: the figure closed is the one written, at 100 dpi whatever the settings, and grids sized."""

import struct

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import viz  # noqa: E402
from engine import Value  # noqa: E402
from viz.plots import save_figure  # noqa: E402


def png_size(path) -> tuple:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_save_figure_closes_the_figure_it_wrote_not_the_current_one(tmp_path) -> None:
    written = plt.figure(figsize=(2, 1))
    current = plt.figure(figsize=(2, 1))
    save_figure(written, tmp_path / "a.png")
    assert written.number not in plt.get_fignums() and current.number in plt.get_fignums()
    plt.close(current)


def test_figures_are_written_at_100_dpi_whatever_matplotlib_is_set_to(tmp_path) -> None:
    with matplotlib.rc_context({"savefig.dpi": 300, "figure.dpi": 72}):
        fig = plt.figure(figsize=(2, 1))
        fig.add_subplot().plot([0, 1], [0, 1])
        width, height = png_size(save_figure(fig, tmp_path / "b.png"))
    assert 150 <= width <= 260 and 70 <= height <= 160  # 2 x 1 inches at 100 dpi with the tick labels (300: ~600)


def test_one_run_of_gradient_norms_is_labelled_run() -> None:
    fig = viz.plot_grad_flow([1.0, 0.1, 0.01])
    (bars,) = fig.axes[0].containers
    # bars rise from 1e-3, a decade below the smallest norm (they rose from 0, which a log scale cannot show)
    assert bars.get_label() == "run" and [b.get_y() + b.get_height() for b in bars] == pytest.approx([1.0, 0.1, 0.01])
    assert [b.get_y() for b in bars] == [1e-3] * 3


def test_the_decision_boundary_asks_the_model_at_80_by_80_points_by_default() -> None:
    calls = []

    def model(point):
        calls.append(point)
        return Value(point[0] - point[1])

    viz.plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1])
    assert len(calls) == 80 * 80
    calls.clear()
    viz.plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=5)
    assert len(calls) == 25


def test_a_returned_plot_is_taken_out_of_pyplots_list_not_the_current_figure(tmp_path) -> None:
    from viz.plots import _finish

    for path in (None, tmp_path / "c.txt"):
        returned = plt.figure(figsize=(2, 1))
        current = plt.figure(figsize=(2, 1))
        try:
            _finish(returned, path)
        except ValueError:
            pass  # a wrong suffix is refused, and the figure closed all the same
        assert returned.number not in plt.get_fignums() and current.number in plt.get_fignums()
        plt.close(current)
