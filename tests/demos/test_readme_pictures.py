"""The pictures the README and its guides (docs/*.md) show: every one is in the repository, is a PNG a demo draws,
and `make pictures` draws it again; the README itself shows one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shown(page: Path) -> list:
    """The pictures ``page`` shows, as paths from the repository's root (a guide links them from docs/)."""
    links = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", page.read_text())
    return [(page.parent / link).resolve().relative_to(ROOT).as_posix() for link in links]


def test_the_readme_shows_one_picture_in_its_first_look() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(shown(ROOT / "README.md")) == 1
    first_look = readme.split("\n## A first look\n", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"!\[[^\]]+\]\(demos/pictures/\w+\.png\)", first_look)


def test_every_picture_shown_is_a_committed_png() -> None:
    pictures = [path for page in PAGES for path in shown(page)]
    assert len(set(pictures)) >= 3
    for path in pictures:
        data = (ROOT / path).read_bytes()
        assert path.startswith("demos/pictures/") and data[:8] == b"\x89PNG\r\n\x1a\n", path


def test_make_pictures_redraws_each_of_them_with_the_demo_of_its_name() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demos = re.search(r"for demo in ([\w ]+); do \$\(BIN\)/python -m demos \$\$demo --out demos/pictures", makefile)
    assert demos is not None
    drawn = demos.group(1).split()
    if "python -m demos graph --out out && cp out/neuron.png demos/pictures/neuron.png" in makefile:
        drawn.append("neuron")  # the graph demo writes more than the picture, so only its PNG is copied
    assert sorted({Path(p).stem for page in PAGES for p in shown(page)}) == sorted(drawn)
