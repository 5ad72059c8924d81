"""A renderer that fails: its complaint is passed on even when it is not UTF-8, and one that hangs is stopped."""

import os
import stat
import sys

import pytest

from viz.renderer import RenderError, RenderTimeout, render


def fake_renderer(tmp_path, body: str):
    path = tmp_path / "fake-dot"
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.skipif(os.name == "nt", reason="a script as the renderer")
def test_a_failing_renderers_bytes_are_shown_even_when_not_utf8(tmp_path, monkeypatch) -> None:
    fake = fake_renderer(tmp_path, "sys.stderr.buffer.write(b'bad \\xff byte\\n'); sys.exit(2)")
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: fake)
    with pytest.raises(RenderError) as caught:
        render("digraph { a }", "svg")
    assert str(caught.value) == f"{fake} failed: bad \ufffd byte"


@pytest.mark.skipif(os.name == "nt", reason="a script as the renderer")
def test_a_hanging_renderer_is_stopped_at_the_timeout(tmp_path, monkeypatch) -> None:
    fake = fake_renderer(tmp_path, "sys.stdin.read(); time.sleep(60)")
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: fake)
    opened = spy_on_renderers(monkeypatch)
    with pytest.raises(RenderTimeout) as caught:
        render("digraph { a }", "svg", timeout=0.5)
    assert str(caught.value) == "fake-dot took longer than 0.5 s and was stopped"
    (process,) = opened
    assert process.returncode is not None and all_pipes_closed(process)  # stopped, waited for, nothing left open


def spy_on_renderers(monkeypatch) -> list:
    """The renderer processes render starts, kept to look at afterwards."""
    import subprocess

    opened = []

    class Kept(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(subprocess, "Popen", Kept)
    return opened


def all_pipes_closed(process) -> bool:
    return all(pipe.closed for pipe in (process.stdin, process.stdout, process.stderr))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_the_renderers_process_asks_the_kernel_to_kill_it_with_its_parent() -> None:
    # The hook runs in the child before exec; called here, the kernel's own record (PR_GET_PDEATHSIG)
    # shows what it asked for. The test process's setting is put back afterwards.
    import ctypes
    import signal

    from viz import renderer

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    PR_GET_PDEATHSIG = 2
    before = ctypes.c_int()
    assert prctl(PR_GET_PDEATHSIG, ctypes.byref(before)) == 0
    try:
        renderer._die_with_parent()
        after = ctypes.c_int()
        assert prctl(PR_GET_PDEATHSIG, ctypes.byref(after)) == 0
        assert after.value == signal.SIGKILL
    finally:
        prctl(renderer.PR_SET_PDEATHSIG, before.value)


def test_without_prctl_the_hook_does_nothing(monkeypatch) -> None:
    from viz import renderer

    monkeypatch.setattr(renderer, "_PRCTL", None)
    assert renderer._die_with_parent() is None  # elsewhere than Linux: the timeout and process group remain


@pytest.mark.skipif(os.name == "nt", reason="a script as the renderer")
def test_an_interrupt_stops_the_renderer_and_is_passed_on(tmp_path, monkeypatch) -> None:
    import subprocess

    fake = fake_renderer(tmp_path, "time.sleep(60)")
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: fake)
    started = []
    real = subprocess.Popen.communicate

    def interrupted(self, *args, **kwargs):  # Ctrl-C in a notebook while the renderer works
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render("digraph { a }", "svg")
    monkeypatch.setattr(subprocess.Popen, "communicate", real)
    (process,) = started
    assert process.returncode is not None and all_pipes_closed(process)  # stopped and waited for, nothing left open


@pytest.mark.skipif(os.name == "nt", reason="a script as the renderer")
def test_a_lone_surrogate_reaches_the_renderer_as_its_escape(tmp_path, monkeypatch) -> None:
    # UTF-8 cannot encode a lone surrogate; a graph not made by draw_dot may hold one, and it should still draw
    fake = fake_renderer(tmp_path, "sys.stdout.buffer.write(sys.stdin.buffer.read())")  # echoes what it was given
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: fake)
    assert render('digraph { a [label="lone \ud800 é"] }', "svg") == b'digraph { a [label="lone \\ud800 \xc3\xa9"] }'
