"""``chainrule tutorials [DIR]`` in the source tree: copies the notebooks and the chapters' index, never over a file."""

from pathlib import Path

import pytest

from demos.__main__ import TUTORIALS_DIR, cli, copy_tutorials

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "demos" / "notebooks").glob("*.ipynb")) + [ROOT / "demos" / "CHAPTERS.md"]


def contents(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_the_copies_are_the_repositorys_files_byte_for_byte(tmp_path: Path) -> None:
    written = copy_tutorials(tmp_path / "a" / "b")  # folders made as needed
    assert [p.name for p in written] == [p.name for p in SOURCES]
    assert contents(tmp_path / "a" / "b") == {p.name: p.read_bytes() for p in SOURCES}


def test_the_command_copies_to_chainrule_tutorials_by_default_and_says_how_to_open_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli(["tutorials"]) == 0
    out = capsys.readouterr().out
    assert TUTORIALS_DIR == "chainrule-tutorials"
    assert contents(tmp_path / TUTORIALS_DIR) == {p.name: p.read_bytes() for p in SOURCES}
    for p in SOURCES:
        assert f"wrote {Path(TUTORIALS_DIR) / p.name}" in out
    assert f"jupyter lab {Path(TUTORIALS_DIR) / SOURCES[0].name}" in out and "chainrule[tutorials]" in out


def test_existing_files_are_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "mine"
    copy_tutorials(target)
    (target / SOURCES[1].name).write_text("my answers")
    (target / "notes.txt").write_text("kept either way")
    assert cli(["tutorials", str(target)]) == 1
    err = capsys.readouterr().err
    assert str(target / SOURCES[1].name) in err and "--force" in err
    assert (target / SOURCES[1].name).read_text() == "my answers"  # nothing written at all
    with pytest.raises(FileExistsError, match="already exist"):
        copy_tutorials(target)
    assert cli(["tutorials", str(target), "--force"]) == 0
    assert (target / SOURCES[1].name).read_bytes() == SOURCES[1].read_bytes()
    assert (target / "notes.txt").read_text() == "kept either way"


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(NotADirectoryError, match="taken is a file, not a folder"):
        copy_tutorials(tmp_path / "taken")


def test_help_lists_both_commands(capsys: pytest.CaptureFixture) -> None:
    assert cli(["--help"]) == 0
    out = capsys.readouterr().out
    assert "chainrule demo" in out and "chainrule tutorials [DIR]" in out
    assert cli(["tutorial"]) == 2 and "chainrule tutorials" in capsys.readouterr().err
