"""The page's own libraries (marked, DOMPurify, highlight.js) as ES modules in `dist/vendor/`, with
their licenses: marked and DOMPurify as published, highlight.js's core (CommonJS only, so wrapped
here into an ES module) and its language modules (`web/markdown.js` imports a handful)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

LIBRARIES = ("marked", "dompurify", "highlight.js")


def vendor(npm_root: Path, target: Path) -> None:
    """Build `target` (dist/vendor) from the unpacked packages under `npm_root`, unless its stamp
    says it was built from these very packages by this very code."""
    stamp = _stamp(npm_root)
    stamp_file = target / ".stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    shutil.rmtree(target, ignore_errors=True)
    languages = target / "highlight" / "languages"
    languages.mkdir(parents=True)
    (target / "licenses").mkdir()
    shutil.copyfile(npm_root / "marked" / "lib" / "marked.esm.js", target / "marked.esm.js")
    shutil.copyfile(npm_root / "dompurify" / "dist" / "purify.es.mjs", target / "purify.es.mjs")
    highlight = npm_root / "highlight.js"
    core = (highlight / "lib" / "core.js").read_text(encoding="utf-8")
    (target / "highlight" / "core.js").write_text(
        f"// highlight.js {_version(highlight)}: lib/core.js as an ES module.\n"
        "const module = { exports: {} };\n"
        f"{core if core.endswith(chr(10)) else core + chr(10)}"
        "export default module.exports;\n",
        encoding="utf-8",
    )
    for language in sorted((highlight / "es" / "languages").glob("*.js")):
        if not language.name.endswith(".js.js"):
            shutil.copyfile(language, languages / language.name)
    for library in LIBRARIES:
        shutil.copyfile(npm_root / library / "LICENSE", target / "licenses" / f"{library}.txt")
    stamp_file.write_text(stamp)


def _version(package: Path) -> str:
    """The version in an unpacked npm package's package.json."""
    version: str = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    return version


def _stamp(npm_root: Path) -> str:
    """The libraries' versions and this file's text, hashed."""
    versions = " ".join(f"{name}@{_version(npm_root / name)}" for name in LIBRARIES)
    return hashlib.sha256(versions.encode() + Path(__file__).read_bytes()).hexdigest()
