"""Refusals that once raised the wrong error: a scalar where batch needs an array, a number as an extra output."""

import numpy as np
import pytest

import engine


def test_batch_refuses_a_scalar_with_the_shape_it_needs() -> None:
    program = engine.compile(lambda x, v: x * v[0], 1.0, [1.0, 2.0])
    cases = [
        ((np.array(1.0), np.array([[1.0, 2.0]])),
         "argument 0 must be an array of shape (n,) over the samples; got shape ()"),
        ((1.0, np.array([[1.0, 2.0]])), "argument 0 must be an array of shape (n,) over the samples; got shape ()"),
        ((np.array([1.0]), 2.0), "argument 1 must be an array of shape (n, 2) over the samples; got shape ()"),
    ]
    for args, message in cases:
        with pytest.raises(ValueError) as e:
            program.batch(*args)
        assert str(e.value) == message


def test_a_number_as_an_extra_output_is_refused_with_the_rule() -> None:
    for aux in (1.0, 2, "a", object()):
        with pytest.raises(TypeError) as e:
            engine.compile(lambda x: (x * 2.0, aux), 1.0)
        assert str(e.value) == "compile: extra outputs must be Values or a list of Values"
    assert engine.compile(lambda x: (x * 2.0, (x, x * 3.0)), 1.0)(2.0).aux == [2.0, 6.0]
