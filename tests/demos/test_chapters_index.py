"""The chapters' index: every entry names a real demo or function (or why it is left out), every chapter demo is
in it, and demos/CHAPTERS.md is what `python -m demos --list --markdown` writes."""

import importlib
from pathlib import Path

from demos import __main__ as runner
from demos import chapters

ROOT = Path(__file__).resolve().parents[2]


def test_every_entry_names_a_demo_or_a_function_or_why_not() -> None:
    for e in chapters.INDEX:
        assert e.chapter in chapters.FILES
        if not e.where:
            assert e.left_out, e
            continue
        name = e.where.split()[0]
        if "." in name:
            module, attribute = name.rsplit(".", 1)
            assert hasattr(importlib.import_module(module), attribute), e
        else:
            assert name in runner.DEMOS, e


def test_every_demo_that_reproduces_a_chapter_is_indexed() -> None:
    indexed = {e.where.split()[0] for e in chapters.INDEX if e.where}
    chapter_demos = {"two_layer", "xor_by_hand", "chapter004", "chapter_pictures", "layernorm_backward",
                     "backprop_necessity", "gradient_descent", "dying_relu", "rosenbrock", "gradient_cost",
                     "worked_example", "forward_vs_reverse", "checkpointing", "vanishing", "gauss_newton", "implicit"}
    assert chapter_demos <= indexed


def test_the_page_is_up_to_date_and_the_list_prints(capsys) -> None:
    assert (ROOT / "demos" / "CHAPTERS.md").read_text() == chapters.markdown()
    assert runner.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chapter 000_0adcd0f39d55295c.txt") and "-> python -m demos two_layer" in out
    assert runner.main(["--list", "--markdown"]) == 0
    assert capsys.readouterr().out == chapters.markdown()


def test_an_entry_left_out_says_why_in_both_forms() -> None:
    e = chapters.Entry("001", "52-80", "Keras training loops", "", "Keras code; chainrule has fit")
    assert chapters._where(e, "`") == chapters._where(e, "") == "left out: Keras code; chainrule has fit"
    assert chapters._where(chapters.Entry("000", "1", "x", "engine.vjp"), "`") == "`engine.vjp`"
    assert chapters._where(chapters.Entry("000", "1", "x", "two_layer"), "") == "python -m demos two_layer"
