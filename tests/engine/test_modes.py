"""no_grad, detach and detect_anomaly."""

import math

import pytest

from engine import Value, detect_anomaly, enable_grad, no_grad


def test_no_grad_records_nothing_and_nests() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
        with enable_grad():
            z = x * 3
        w = z * 2
    assert (y.data, y._prev, y._op) == (5.0, (), "")
    assert z._prev == (x, z._prev[1]) and w._prev == ()
    v = x * x
    assert v._prev == (x, x)  # recording is back on


def test_detach_stops_gradients() -> None:
    x = Value(3.0)
    y = x * x.detach()
    y.backward()
    assert x.grad == 3.0  # only the first factor carries a gradient


def test_anomaly_names_the_line_where_a_bad_value_was_made() -> None:
    with detect_anomaly():
        x = Value(1.0, label="x")  # the line reported below
        line = test_anomaly_names_the_line_where_a_bad_value_was_made.__code__.co_firstlineno + 2
        x._data = math.nan  # past the public setter, which refuses nan (as Value(nan) does)
        with pytest.raises(ValueError, match=rf"tanh: result is nan with x=nan; the leaf was created at .*test_modes.py:{line}"):
            x.tanh()


def test_anomaly_checks_every_contribution_and_names_its_node() -> None:
    with detect_anomaly():
        tiny = Value(1e-300, label="tiny")
        y = tiny * 1e300 * 1e300
        with pytest.raises(OverflowError, match=r"mul .* sends inf to its input leaf 'tiny'.*created at .*test_modes.py"):
            y.backward()


def test_anomaly_sites_are_forgotten_afterwards() -> None:
    from engine.modes import state

    with detect_anomaly():
        y = Value(1.0) * 2  # kept: a site lasts as long as its Value, no longer
        assert state.sites
    assert not state.sites and y.data == 2.0


def test_site_of_says_what_made_a_value_and_where_outside_the_engine() -> None:
    """The words of site_of and creation_site, without comparing the caller's line (the anomaly tests do that;
    mutation runs leave them out, since mutmut's trampolines stand in front of the caller)."""
    import os
    import re

    from engine import modes

    engine_dir = os.path.dirname(os.path.abspath(modes.__file__))
    with detect_anomaly():  # sites are known while it is on
        x = Value(1.0)
        y = x.tanh()
        for node, what in ((y, "tanh"), (x, "leaf")):
            said = modes.site_of(node)
            match = re.fullmatch(rf"; the {what} was created at (.+):(\d+)", said)
            assert match, said
            assert os.path.dirname(os.path.abspath(match.group(1))) != engine_dir  # the first frame outside the engine
    assert modes.site_of(Value(2.0)) == ""  # made outside detect_anomaly: nothing is known


def test_code_without_a_file_is_its_own_creation_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """engine.modes.creation_site: code typed at ``python -c`` or a REPL is "<string>" or "<stdin>", no file; in
    the engine's own folder it was once taken for an engine file and skipped, naming the wrong caller."""
    import os

    from engine import modes

    monkeypatch.chdir(os.path.dirname(os.path.abspath(modes.__file__)))
    for name in ("<string>", "<stdin>"):
        scope: dict = {"modes": modes}
        exec(compile("site = modes.creation_site()", name, "exec"), scope)  # noqa: S102 (a typed line, as python -c runs it)
        assert scope["site"] == f"{name}:1"


def test_detection_adds_where_to_backwards_errors_and_only_then() -> None:
    """engine.reverse contributions, local_partials and check_gradient, with the site checked as a pattern (the
    tests that compare the caller's exact line cannot run under mutation testing): an infinite contribution is
    caught where it is sent, a rule undefined at its point names where its node was made, and a nan gradient is a
    ValueError (inf an OverflowError). Without detect_anomaly no site is looked up."""
    import re

    undefined = "pow: the local derivative is undefined at x=0.0, k=0.5 (0.0 cannot be raised to a negative power)"
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError) as caught:
        (x ** 0.5).backward()
    assert str(caught.value) == undefined
    with detect_anomaly():
        x = Value(1e-200, label="x")
        out = x * 1e200 * 1e200  # finite values; the gradient reaching x, 1e200 * 1e200, is not
        with pytest.raises(OverflowError) as caught:
            out.backward()
        assert re.fullmatch(r"backward: mul with a=1e-200, b=1e\+200 sends inf to its input leaf 'x' with "
                            r"data=1e-200; the mul was created at .+:\d+", str(caught.value)), str(caught.value)
        x = Value(0.0, label="x")
        y = x ** 0.5
        with pytest.raises(ZeroDivisionError) as caught:
            y.backward()
        assert re.fullmatch(re.escape(undefined) + r"; the pow was created at .+:\d+", str(caught.value))
    x = Value(1.0, label="x")
    x.grad = math.nan
    with pytest.raises(ValueError, match=r"^backward: the gradient reaching leaf 'x' with data=1.0 is nan$"):
        (x * 2.0).backward()
