"""`remi init [PATH] [--force]`: write a commented `remi.toml` for the deep agent."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..deep.config import CONFIG_FILE, write_example


def main(argv: Sequence[str] | None = None) -> int:
    """Write the example config; print where and what to do next. Returns 2 when the file
    exists and `--force` was not given, 1 when it cannot be written."""
    parser = argparse.ArgumentParser(
        prog="remi init",
        description="Write a remi.toml with every setting of the deep agent, commented out.",
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path(CONFIG_FILE),
                        help=f"the file to write, or a directory (default: ./{CONFIG_FILE})")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        written = write_example(args.path, overwrite=args.force)
    except FileExistsError as error:
        print(f"remi init: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"remi init: cannot write {args.path}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {written}")
    print("next: edit it (the API key stays in an environment variable, OPENAI_API_KEY by "
          "default), then build the agent with DeepAgentBuilder.from_config(load_config())")
    return 0
