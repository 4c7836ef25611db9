"""`python -m remi_web.cli.webapp`: assemble a dist from unpacked npm packages (what
`scripts/setup_web.sh` runs after `npm ci` and `pip wheel .`), or the user cache's dist.

    python -m remi_web.cli.webapp --app web --npm web/node_modules --dist web/dist --own-wheel W
    python -m remi_web.cli.webapp --cache      # what `remi web` does on its first run
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .assemble import assemble
from .cache import cache_root, cached_dist
from .errors import AssemblyError
from .fetch import Fetcher
from .files import AppFiles, checkout_app, packaged_app


def main(argv: Sequence[str] | None = None) -> int:
    """Assemble; 0, or 1 with the one-line reason on stderr."""
    parser = argparse.ArgumentParser(prog="python -m remi_web.cli.webapp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", action="store_true", help="assemble the user cache's dist")
    parser.add_argument("--app", type=Path, help="the app's directory (web/)")
    parser.add_argument("--npm", type=Path, help="the unpacked npm packages (web/node_modules)")
    parser.add_argument("--dist", type=Path, help="the dist to assemble (web/dist)")
    parser.add_argument("--own-wheel", type=Path, help="the project's wheel (else made from the package)")
    args = parser.parse_args(argv)
    try:
        if args.cache:
            print(cached_dist(checkout_app() or packaged_app()))
            return 0
        if args.app is None or args.npm is None or args.dist is None:
            parser.error("--app, --npm and --dist are needed (or --cache)")
        fetcher = Fetcher.from_environment(cache_root() / "downloads")
        assemble(
            args.dist, app=AppFiles(args.app), npm_root=args.npm, fetcher=fetcher,
            own_wheel=args.own_wheel, snapshot_required=True,
        )
    except AssemblyError as error:
        print(f"remi web: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
