"""python -m demos chapter_pictures: the three pictures are drawn, and the numbers printed beside them are the
chain rule's by hand."""

import math

from demos import chapter_pictures as demo


def test_the_pictures_and_their_numbers(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    x = demo.X
    u, v = x * x, math.sin(x * x)
    dJ_dv = math.exp(v)  # the chapter's steps, by hand: f'(v), then times g'(u), then times h'(x)
    dJ_du = dJ_dv * math.cos(u)
    dJ_dx = dJ_du * 2 * x
    assert f"backward: dJ/dv = f'(v) = exp(v) = {dJ_dv:.6f}" in out
    assert f"dJ/du = dJ/dv x g'(u) = dJ/dv x cos(u) = {dJ_du:.6f}" in out
    assert f"dJ/dx = dJ/du x h'(x) = dJ/du x 2x = {dJ_dx:.6f}" in out
    steps = demo.backward_steps()
    assert [steps[k] for k in ("u", "v", "dJ/dv", "dJ/du", "dJ/dx")] == [u, v, dJ_dv, dJ_du, dJ_dx]
    central = (demo.J_of(x + 1e-7) - demo.J_of(x - 1e-7)) / 2e-7
    assert steps["finite difference"] == central and abs(central - dJ_dx) < 1e-7 * abs(dJ_dx) * 10
    assert "gradient (4, 27) = (2x, 3y^2)" in out
    assert demo.three_ways() == {m: {"df/dx": 2 * 2.0, "df/dy": 3 * 3.0 ** 2}
                                 for m in ("forward mode", "reverse mode", "analytical")}
    for name in ("chain_of_functions.png", "gradient_on_contours.png", "gradient_methods.png", "network.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
