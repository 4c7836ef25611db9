"""`remi web`'s cache headers for web/dist/: a pinned wheel is kept without asking (a warm
reload does not refetch it), everything that may change under the same name is revalidated."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from remi_web.cli.web import create_web_app

IMMUTABLE = "public, max-age=31536000, immutable"


def _web_dir(root: Path) -> Path:
    dist = root / "dist"
    (dist / "vendor").mkdir(parents=True)
    for name in (
        "pyodide.mjs", "pyodide-lock.json", "vendor/marked.esm.js", "snapshot.bin",
        "pydantic-2.14.3-py3-none-any.whl", "remi_web-0.1.0-py3-none-any.whl",
    ):
        (dist / name).write_bytes(b"x")
    (root / "agent.py").write_text("agent = None\n")
    (root / "worker.js").write_text("")
    return root


def test_pinned_wheels_are_immutable_and_the_rest_is_revalidated(tmp_path: Path) -> None:
    client = TestClient(create_web_app(web_dir=_web_dir(tmp_path)))
    expected = {
        "/dist/pydantic-2.14.3-py3-none-any.whl": IMMUTABLE,
        "/dist/remi_web-0.1.0-py3-none-any.whl": "no-cache",  # rebuilt under the same name
        "/dist/pyodide-lock.json": "no-cache",
        "/dist/pyodide.mjs": "no-cache",
        "/dist/snapshot.bin": "no-cache",
        "/worker.js": "no-cache",
    }
    for path, cache_control in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == cache_control, path
