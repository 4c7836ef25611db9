"""Skills on a jailed host directory (`HostFS`); the frontmatter read back by a real YAML parser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from remi_web.deep.skills import Skill, SkillStore
from remi_web.tools import FileError, HostFS, VirtualFS


def tree(root: Path) -> dict[str, bytes | None]:
    """Every entry below `root`: files with their bytes, directories and links as None."""
    return {
        str(path.relative_to(root)): (
            None if path.is_dir() or path.is_symlink() else path.read_bytes()
        )
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """An empty directory inside `tmp_path`, with a secret skill folder beside it."""
    (tmp_path / "jail").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "SKILL.md").write_text("---\nname: secret\ndescription: x\n---\nS")
    return tmp_path / "jail"


def test_round_trip_on_the_host(jail: Path) -> None:
    store = SkillStore(HostFS(jail, writable=True))
    assert store.list() == []
    path = store.save("report", "Write it: fast.", "# Report\n\n---\nDone.")
    assert path == "/skills/report/SKILL.md"
    assert (jail / "skills" / "report" / "SKILL.md").read_text() == (
        '---\nname: report\ndescription: "Write it: fast."\n---\n\n# Report\n\n---\nDone.\n'
    )
    (jail / "skills" / "report" / "scripts").mkdir()
    (jail / "skills" / "report" / "scripts" / "run.sh").write_text("echo hi\n")
    assert store.get("report") == Skill("report", "Write it: fast.", "# Report\n\n---\nDone.")
    assert store.list() == [Skill("report", "Write it: fast.", "# Report\n\n---\nDone.")]
    assert store.delete("report") is True
    assert not (jail / "skills" / "report").exists()
    assert store.delete("report") is False and store.list() == []


@pytest.mark.parametrize("name", ["../secret", "..", "/secret", "..\\secret", "a/../../secret"])
def test_a_name_cannot_leave_the_root(jail: Path, name: str) -> None:
    store = SkillStore(HostFS(jail, writable=True))
    before = tree(jail.parent)
    with pytest.raises(ValueError, match="not a valid skill name"):
        store.save(name, "Escape.", "body")
    with pytest.raises(ValueError):
        store.get(name)
    with pytest.raises(ValueError):
        store.delete(name)
    assert tree(jail.parent) == before


def test_a_symlinked_skill_folder_leading_out_is_not_read(jail: Path) -> None:
    (jail / "skills").mkdir()
    os.symlink(jail.parent / "secret", jail / "skills" / "secret")
    store = SkillStore(HostFS(jail, writable=True))
    store.save("inside", "In.", "body")
    assert store.get("secret") is None
    assert [s.name for s in store.list()] == ["inside"]
    assert store.delete("secret") is False
    assert (jail.parent / "secret" / "SKILL.md").exists()


def test_a_read_only_host_refuses_saves(jail: Path) -> None:
    store = SkillStore(HostFS(jail))
    with pytest.raises(FileError, match="read-only"):
        store.save("nope", "No.", "body")
    assert tree(jail) == {}


@pytest.mark.parametrize(
    "description",
    [
        "plain words, fine",
        "ends with a colon:",
        "Use when: asked # not a comment",
        'quotes "double" and \'single\' and \\ backslash',
        "yes",
        "null",
        "3.14",
        "- dash",
        "[flow] {map}",
        "héllo \u2603 \U0001f600 \x07 bell",
    ],
)
def test_yaml_parsers_read_the_frontmatter_back(description: str) -> None:
    yaml = pytest.importorskip("yaml")
    fs = VirtualFS()
    path = SkillStore(fs).save("check", description, "body")
    front = fs.read_bytes(path).decode().split("---\n")[1]
    assert yaml.safe_load(front) == {"name": "check", "description": description}
