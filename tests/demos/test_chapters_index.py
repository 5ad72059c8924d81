"""The chapters' index: every entry names a real demo or function (or why it is left out), every chapter demo is
in it, every citation names its chapter by title and section, demos/CHAPTERS.md is what `python -m demos --list
--markdown` writes, and no file in the repository points at the chapters' files, which readers do not have."""

import importlib
import re
from pathlib import Path

import pytest

from demos import __main__ as runner
from demos import chapters

ROOT = Path(__file__).resolve().parents[2]


def test_every_entry_names_a_demo_or_a_function_or_why_not() -> None:
    for e in chapters.INDEX:
        assert e.chapter in chapters.CHAPTERS
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
    chapter_demos = {"through_time", "lstm_cell", "attention_paths", "two_layer", "xor_by_hand", "chapter004", "chapter_pictures", "layernorm_backward",
                     "backprop_necessity", "gradient_descent", "dying_relu", "rosenbrock", "gradient_cost",
                     "worked_example", "forward_vs_reverse", "checkpointing", "profiling", "taylor", "discrete", "precision", "matrix_calculus", "in_place", "gradient_flow_cell", "ad_accuracy", "compression", "vanishing", "gauss_newton", "implicit"}
    assert chapter_demos <= indexed


def test_the_page_is_up_to_date_and_the_list_prints(capsys) -> None:
    assert (ROOT / "demos" / "CHAPTERS.md").read_text() == chapters.markdown()
    assert runner.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(chapters.INTRODUCTION[0]) and "-> python -m demos two_layer" in out
    assert runner.main(["--list", "--markdown"]) == 0
    assert capsys.readouterr().out == chapters.markdown()


def test_an_entry_left_out_says_why_in_both_forms() -> None:
    e = chapters.Entry("001", "Backpropagation in Practice", "52-80", "Keras training loops", "",
                       "Keras code; chainrule has fit")
    assert chapters._where(e, "`") == chapters._where(e, "") == "left out: Keras code; chainrule has fit"
    assert chapters._where(chapters.Entry("000", "§7.4.1", "1", "x", "engine.vjp"), "`") == "`engine.vjp`"
    assert chapters._where(chapters.Entry("000", "§7.4.1", "1", "x", "two_layer"), "") == "python -m demos two_layer"


# The sections as each chapter numbers them: 7.4.1 to 7.4.4 in the first, 1 to 12 in the third, 16.1 to 16.8 in
# the notebook, 1 to 10 in the last; the second numbers none. A "§" that fits none is a typo or a wrong chapter.
NUMBERING = {"000": r"7\.4\.[1-4]", "001": r"(?!)", "002": r"(1[0-2]|[1-9])", "003": r"16\.[1-8]",
             "004": r"(10|[1-9])(\.\d)?"}


def test_every_citation_names_its_chapter_title_and_a_section_the_chapter_numbers() -> None:
    assert [c.title for c in chapters.CHAPTERS.values()] == [
        "Backpropagation: The Engine of Deep Learning", "The Backpropagation Algorithm",
        "Backpropagation Calculus for Deep Learning", "Chapter 16: Backpropagation -- The Complete Derivation",
        "Chapter 02: Backpropagation & Gradient Descent"]
    for e in chapters.INDEX:
        title = chapters.CHAPTERS[e.chapter].title
        assert e.citation() == f"{title}, {e.section} ({'line' if e.lines.isdigit() else 'lines'} {e.lines})"
        assert e.section.strip() and not re.search(r"\blines?\b", e.section), e
        for number in re.findall(r"§([\d.]+)", e.section):
            assert re.fullmatch(NUMBERING[e.chapter], number.rstrip(".")), e


def test_every_row_of_the_page_and_the_list_sits_under_its_chapters_title() -> None:
    titles = {c.title: chapter for chapter, c in chapters.CHAPTERS.items()}
    rows, heading = [], None
    for line in chapters.markdown().splitlines():
        if line.startswith("## "):
            heading = line[3:]
            assert heading in titles, heading
        elif line.startswith("| ") and not line.startswith(("| section", "| ---")):
            rows.append((titles[heading], line))
    assert [(chapter, f"| {e.section} |") for chapter, e in ((e.chapter, e) for e in chapters.INDEX)] == [
        (chapter, row[:len(f"| {e.section} |")]) for (chapter, row), e in zip(rows, chapters.INDEX)]
    listed = chapters.text()
    for e in chapters.INDEX:  # each entry after its own chapter's title, and before the next chapter's
        title = chapters.CHAPTERS[e.chapter].title
        block = listed.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]
        assert f"  {e.section} ({'line' if e.lines.isdigit() else 'lines'} {e.lines})\n      {e.what}\n" in block, e


def test_the_entries_follow_each_chapter_in_reading_order() -> None:
    # A reader goes through a chapter from its start; the index lists its examples in the same order.
    keys = [(list(chapters.CHAPTERS).index(e.chapter), int(re.match(r"\d+", e.lines).group())) for e in chapters.INDEX]
    assert keys == sorted(keys)


def test_the_index_first_says_what_the_five_chapters_are() -> None:
    page = chapters.markdown()
    first = page.split("\n## ", 1)[0]
    for n, c in enumerate(chapters.CHAPTERS.values(), 1):
        assert f"{n}. **{c.title}**: {c.about}." in first
    assert "not part of this repository" in first and "secondary reference" in first


# The chapters' file names (their ids) and folder: readers of the repository do not have them, so a citation
# naming one cannot be followed. Chapters are cited by title and section instead.
CHAPTER_IDS = ("0adcd0f39d55295c", "ee8a8183f40978cc", "dede87141e9fc4a0", "d6c1357372f19952", "a38375548f71c0c0")
# No \b before "chapter": in source, a printed "\nchapter 002" has the n of its escape right before it.
UNFOLLOWABLE = re.compile("shared/chapters|" + "|".join(CHAPTER_IDS) + r"|\b00[0-4]_[0-9a-f]{16}\b"
                          r"|[Cc]hapters? 00[0-4]\b|[Cc]hapter 00[0-4]'s")
NOT_THE_PROJECTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "mutants", "out", "build",
                    "dist", "node_modules"}
# What `make mutation` writes beside the copy it runs in (test names, which spell the ids out, among them)
NOT_THE_PROJECTS_FILES = {"mutmut-stats.json"}


def project_files() -> list:
    files = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and not NOT_THE_PROJECTS.intersection(parts) and path.name not in NOT_THE_PROJECTS_FILES \
                and not path.name.endswith(".meta") and not any(p.endswith(".egg-info") for p in parts):
            files.append(path)
    return files


def test_no_file_cites_a_chapter_by_its_file_name_or_folder() -> None:
    this = Path(__file__).resolve()  # it spells the ids out to look for them
    found = []
    for path in project_files():
        if path.resolve() == this:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # pictures
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if UNFOLLOWABLE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not found, "cite the chapter by title and section instead:\n" + "\n".join(found)


@pytest.mark.parametrize("line", ["see ../shared/chapters/ for the text", "chapter 003, lines 1-2",
                                  "Chapter 000 (lines 3-4)", "chapter 001's example", "004_a38375548f71c0c0.txt",
                                  "as chapters 002 and 003 say", 'print("\\nchapter 002 (line 243) says")'])
def test_the_check_finds_each_unfollowable_form(line: str) -> None:
    assert UNFOLLOWABLE.search(line)


@pytest.mark.parametrize("line", ["python -m demos chapter004", "out/chapter004_graph.svg", "1_000_000 nodes",
                                  "4_000_000  # entries", "Chapter 02: Backpropagation & Gradient Descent, §8.3"])
def test_the_check_lets_the_rest_through(line: str) -> None:
    assert not UNFOLLOWABLE.search(line)
