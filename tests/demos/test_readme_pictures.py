"""The README's pictures: every one it shows is in the repository, is a PNG a demo draws, and `make pictures`
draws it again."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shown() -> list:
    return re.findall(r"!\[[^\]]+\]\(([^)]+)\)", (ROOT / "README.md").read_text())


def test_every_picture_the_readme_shows_is_a_committed_png() -> None:
    pictures = shown()
    assert len(pictures) >= 3
    for path in pictures:
        data = (ROOT / path).read_bytes()
        assert path.startswith("demos/pictures/") and data[:8] == b"\x89PNG\r\n\x1a\n", path


def test_make_pictures_redraws_each_of_them_with_the_demo_of_its_name() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demos = re.search(r"for demo in ([\w ]+); do \$\(BIN\)/python -m demos \$\$demo --out demos/pictures", makefile)
    assert demos is not None
    assert sorted(Path(p).stem for p in shown()) == sorted(demos.group(1).split())
