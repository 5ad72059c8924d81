"""python -m demos checkpointing: peak memory grows like n without checkpoints and like sqrt(n) with sqrt(n)
segments (pinned loosely: the machine's allocator adds a floor), at the same gradient to the last bit."""

import contextlib
import io
import math
import re

import pytest

from demos import checkpointing as demo


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("checkpointing")
    text, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(err):
        code = demo.main(["--quick", "--out", str(out)])
    return code, text.getvalue(), out, err.getvalue()


def growth(text, strategy):
    steps, memory = re.search(re.escape(strategy) + r": (\d+)x the steps, ([\d.]+)x the memory", text).groups()
    return int(steps), float(memory)


def test_memory_grows_like_n_kept_and_like_sqrt_n_in_sqrt_segments(run) -> None:
    code, text, _, _ = run
    assert code == 0
    steps, plain = growth(text, "every node kept")
    assert steps == 4 and 3.3 <= plain <= 4.7  # like n: 4x
    steps, sqrt = growth(text, "sqrt(n) segments")
    assert 1.3 <= sqrt <= 2.7  # like sqrt(n): 2x, with a fixed floor pulling small sizes down
    saved = float(re.search(r"sqrt\(n\) segments at n = [\d,]+: (\d+)x less memory", text).group(1))
    assert saved >= 10


def test_every_strategy_gives_the_same_gradient_to_the_last_bit(run) -> None:
    _, text, _, _ = run
    assert "gradients identical to the last bit in every run: yes" in text
    assert text.count("identical") >= 4 and "DIFFERENT" not in text


def test_the_chain_gradient_is_the_hand_derivative(run) -> None:
    # d t_n / d t_0 = prod (1 + 1e-4 cos t_i), the recurrence differentiated by hand
    n = demo.QUICK_SIZES[0]
    x, step = demo.gradient(n, math.isqrt(n))
    step()
    t, d = 0.5, 1.0
    for _ in range(n):
        d *= 1 + 1e-4 * math.cos(t)
        t = t + math.sin(t) * 1e-4
    assert x.grad == pytest.approx(d, rel=1e-12)


def test_the_trade_off_is_drawn(run) -> None:
    _, _, out, _ = run
    assert (out / "checkpointing.png").read_bytes()[:4] == b"\x89PNG"


def test_progress_names_each_run_and_quick_is_documented(run, capsys) -> None:
    # the default run took ten minutes in silence: a bar counts the chains' steps and names the run under way
    err = run[3]
    steps = sum(n for n in demo.QUICK_SIZES for s in demo.STRATEGIES)  # all kept whole: none above PLAIN_UP_TO
    assert f"0/{steps} [" in err
    for n in demo.QUICK_SIZES:
        assert f"sqrt(n) segments, n = {n:,}:" in err and f"every node kept, n = {n:,}:" in err
    assert "MLP, checkpoint_every = None, 4, sqrt:" in err
    with pytest.raises(SystemExit):
        demo.main(["--help"])
    assert "--quick" in capsys.readouterr().out
