"""python -m demos chapter_pictures: the three pictures are drawn, and the numbers printed beside them are the
chain rule's by hand."""

import math

from demos import chapter_pictures as demo


def test_the_pictures_and_their_numbers(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    x = demo.X
    dJ = math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x  # exp'(v) sin'(u) (x^2)', by hand
    assert f"J = exp(v)   = {math.exp(math.sin(x * x)):.6f},  d/dx = {dJ:.6f}" in out
    assert "gradient (4, 27) = (2x, 3y^2)" in out
    for name in ("chain_of_functions.png", "gradient_on_contours.png", "network.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
