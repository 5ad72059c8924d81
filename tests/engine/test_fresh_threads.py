"""A thread that has never used the engine starts with every mode at its default: recording, no anomaly mode,
not tracing, and no creation sites kept."""

import threading

import pytest

import engine
from engine import Value


def in_a_new_thread(f):
    result, errors = [], []

    def run() -> None:
        try:
            result.append(f())
        except BaseException as e:  # noqa: BLE001 (handed back to the test)
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return result[0]


def test_a_new_thread_records_and_keeps_no_sites() -> None:
    def work():
        x = Value(1e308)
        y = x * 1.0
        y.backward()
        with pytest.raises(OverflowError) as caught:
            x * 10.0
        state = engine.modes.state
        switches = (state.recording, state.anomaly, len(state.sites), state.tracing, state.recomputing)
        return x.grad, len(y._prev), str(caught.value), switches

    grad, parents, message, switches = in_a_new_thread(work)
    assert (grad, parents) == (1.0, 2)
    assert switches == (True, 0, 0, False, False)
    assert message == "mul: result too large for a float with a=1e+308, b=10.0"  # no "created at": anomaly is off


def test_detect_mode_and_no_grad_work_in_a_new_thread() -> None:
    # (named without the word "anomaly": mutation runs leave those tests out, and this one reads no caller's line)
    def work():
        with engine.detect_anomaly():
            x = Value(1e308)
            with pytest.raises(OverflowError) as caught:
                x * 10.0
        with engine.no_grad():
            z = Value(2.0) * 3.0
        return str(caught.value), z._prev

    message, parents = in_a_new_thread(work)
    assert "; the leaf was created at " in message and "; computed at " in message
    assert parents == ()
