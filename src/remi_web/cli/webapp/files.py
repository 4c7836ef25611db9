"""Where the web app's files are: `web/` in a checkout (next to `src/`), else the copy packaged in
the wheel (`remi_web/cli/webapp/app/`, mapped from `web/` by pyproject.toml's hatch config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[4]
"""The repository root when this runs from a checkout (an editable install)."""
PACKAGED = Path(__file__).resolve().with_name("app")


@dataclass(frozen=True)
class AppFiles:
    """The app's directory: its page, scripts, agent templates and the dist's pins."""

    directory: Path

    @property
    def index(self) -> Path:
        """The page."""
        return self.directory / "index.html"

    @property
    def agent(self) -> Path:
        """The page's default agent file."""
        return self.directory / "agent.py"

    @property
    def deep_agent(self) -> Path:
        """The agent file of the page's deep mode."""
        return self.directory / "deep_agent.py"

    @property
    def pins(self) -> Path:
        """The pinned wheels."""
        return self.directory / "pyodide-requirements.txt"

    @property
    def package_json(self) -> Path:
        """The npm packages the page needs (`dependencies`) and the test lane's (`devDependencies`)."""
        return self.directory / "package.json"

    @property
    def package_lock(self) -> Path:
        """The npm packages' locked versions and integrity hashes."""
        return self.directory / "package-lock.json"

    @property
    def pin_files(self) -> tuple[Path, ...]:
        """What the dist is assembled from."""
        return (self.pins, self.package_json, self.package_lock)


def checkout_app() -> AppFiles | None:
    """`web/` of the checkout this package runs from, if it does."""
    web = CHECKOUT / "web"
    if (CHECKOUT / "pyproject.toml").is_file() and (web / "index.html").is_file():
        return AppFiles(web)
    return None


def packaged_app() -> AppFiles:
    """The app's files shipped in the wheel."""
    return AppFiles(PACKAGED)
