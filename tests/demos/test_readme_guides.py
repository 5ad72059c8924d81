"""The README is a landing page with a map of the guides under docs/: every guide is on the map, every link
between them (and to demos/CHAPTERS.md) leads to a file and a heading that exist, and every guide with examples
is collected as a doctest, as the README is, so nothing they show can stop running unnoticed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GUIDES = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *GUIDES, ROOT / "demos" / "CHAPTERS.md"]

# `make mutation` runs the tests in a copy holding only [tool.mutmut]'s also_copy paths: should docs/ ever leave
# that list, the guides cannot be checked there, and the reason is printed rather than a false failure.
pytestmark = pytest.mark.skipif(not GUIDES, reason="no docs/ guides in this copy of the project")


def links(page: Path) -> list:
    """The page's links to files of the repository (not pictures, not web addresses), outside code blocks."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return [target for target in re.findall(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)", text)
            if re.fullmatch(r"[\w./-]*\.md(#[\w-]+)?|#[\w-]+", target)]  # not B[f, z](v), nor a web address


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation (backticks, commas, apostrophes) dropped, spaces
    made hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def test_the_anchor_is_githubs() -> None:
    assert anchor("micrograd's `_backward`, from the one rule") == "micrograds-_backward-from-the-one-rule"
    assert anchor("Vanishing and exploding gradients, and their cures") == \
        "vanishing-and-exploding-gradients-and-their-cures"


def test_every_guide_is_on_the_readmes_map_with_one_line() -> None:
    readme = README.read_text()
    guides = readme.split("\n## Guides\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- \[[^\]]+\]\((docs/[\w-]+\.md)\): .+$", guides, flags=re.M)
    assert sorted(listed) == sorted(f"docs/{g.name}" for g in GUIDES)
    assert len(GUIDES) >= 7


def test_every_link_leads_to_a_file_and_heading_that_exist() -> None:
    broken = []
    for page in PAGES:
        for target in links(page):
            path, _, name = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists() or (name and name not in anchors(file)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken


def test_every_guide_links_back_to_the_readme() -> None:
    for guide in GUIDES:
        assert "../README.md#guides" in links(guide), guide.name


def test_the_readme_and_every_guide_with_examples_run_as_doctests() -> None:
    # `make test` runs pytest without arguments, so the pages must be on the test paths...
    config = (ROOT / "pyproject.toml").read_text().split("[tool.pytest.ini_options]", 1)[1].split("\n[", 1)[0]
    testpaths = re.search(r"^testpaths = \[(.*)\]$", config, flags=re.M).group(1)
    assert '"README.md"' in testpaths and '"docs"' in testpaths
    # ...and the doctest globs must pick them out (only the Markdown files are collected here: *.py is ignored).
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0",
                          "--ignore-glob=*.py", "README.md", "docs", "demos", "bench"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    collected = set(re.findall(r"^([\w/.-]+\.md)::", run.stdout, flags=re.M))
    with_examples = {p.relative_to(ROOT).as_posix() for p in (README, *GUIDES) if ">>> " in p.read_text()}
    assert len(with_examples) >= 4 and with_examples <= collected, run.stdout[-2000:] + run.stderr[-2000:]
    # The generated tables hold no examples, and are not collected: a doctest glob that caught them would run
    # nothing, and hide a typo in the glob.
    assert not collected & {"demos/CHAPTERS.md", "bench/results.md"}


def test_the_readme_stays_a_landing_page() -> None:
    # A newcomer reads it top to bottom: what chainrule is, the two commands, a first look and the map. Reference
    # sections belong in a guide; at 746 lines the README had become the reference.
    assert len(README.read_text().splitlines()) <= 200
