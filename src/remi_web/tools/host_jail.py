"""`HostJail`: a real directory used as a root, reached only through directory descriptors.

Native only. A path given by the model is first checked by the shared path rules
(`paths.split_path`: no `..` above the root, no NUL bytes...), then its symlinks are
resolved and the result must still lie inside the root: a symlink that points outside is
refused, whether it is the last name or a directory on the way. The resolved names are then
opened one by one from the root's descriptor with `O_NOFOLLOW`, so a symlink swapped in
between the check and the use makes the operation fail instead of escaping.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.errors import ConfigurationError
from .errors import FileError, PathError
from .paths import join_path, split_path

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class HostJail:
    """A real directory as the root of every path; nothing outside it can be named.

    Args:
        root: the directory (it must exist); its own symlinks are resolved once, here.

    Raises:
        ConfigurationError: when the platform lacks `O_NOFOLLOW` and `dir_fd` support
            (e.g. Windows, Pyodide) or `root` is not a directory.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not supported():
            raise ConfigurationError(
                "Host file tools need O_NOFOLLOW and dir_fd support (Linux, macOS, BSD); "
                "use the virtual file system (vfs_tools) here."
            )
        real = os.path.realpath(os.fspath(root))
        if not os.path.isdir(real):
            raise ConfigurationError(
                f"The jail root {os.fspath(root)!r} is not an existing directory."
            )
        self.root = real

    def resolve(self, path: str, *, follow: bool = True) -> tuple[str, ...]:
        """The real names below the root that `path` leads to, symlinks resolved.

        Args:
            path: a path under the root, as the model gives it.
            follow: also resolve the last name when it is a symlink (False to act on
                the symlink itself, as remove, move and stat do).

        Raises:
            PathError: when the path breaks a path rule or leads outside the root.
        """
        names = split_path(path)
        if not names:
            return ()
        if follow:
            real = os.path.realpath(os.path.join(self.root, *names))
        else:
            real = os.path.join(os.path.realpath(os.path.join(self.root, *names[:-1])), names[-1])
        relative = os.path.relpath(real, self.root)
        if relative == ".":
            return ()
        outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
        if outside or os.path.isabs(relative):
            raise PathError(
                f"{join_path(names)} leads outside the root through a symbolic link; "
                "it cannot be used."
            )
        return tuple(relative.split(os.sep))

    def real_path(self, names: tuple[str, ...]) -> str:
        """The absolute host path of resolved `names` (for programs that need one)."""
        return os.path.join(self.root, *names)

    @contextmanager
    def directory(
        self, names: tuple[str, ...], shown: str, *, create: bool = False
    ) -> Iterator[int]:
        """A descriptor of the directory `names` (resolved), opened without following
        symlinks; with `create`, missing directories are made on the way."""
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for name in names:
                try:
                    child = os.open(name, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    try:
                        os.mkdir(name, 0o777, dir_fd=fd)
                    except FileExistsError:
                        pass  # made meanwhile: opening it below checks what it is
                    child = os.open(name, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as exc:
            os.close(fd)
            raise os_error(exc, shown) from None
        try:
            yield fd
        finally:
            os.close(fd)


def supported() -> bool:
    """Whether this platform can jail host paths (`O_NOFOLLOW`, `O_DIRECTORY`, `dir_fd`)."""
    return (
        hasattr(os, "O_NOFOLLOW")
        and hasattr(os, "O_DIRECTORY")
        and os.open in os.supports_dir_fd
        and os.stat in os.supports_dir_fd
        and os.scandir in os.supports_fd
    )


def os_error(exc: OSError, shown: str) -> FileError:
    """An `OSError` as a message for the model, naming the path as the model knows it."""
    code = exc.errno
    if code == errno.ENOENT:
        return FileError(f"No such file or directory: {shown}")
    if code == errno.ENOTDIR:
        return FileError(f"A part of {shown} is a file, not a directory.")
    if code == errno.EISDIR:
        return FileError(f"{shown} is a directory, not a file.")
    if code == errno.ELOOP:
        return FileError(
            f"{shown} runs into a symbolic link that loops or changed while in use; "
            "it cannot be used."
        )
    if code in (errno.EACCES, errno.EPERM):
        return FileError(f"Permission denied: {shown}")
    if code == errno.EEXIST:
        return FileError(f"{shown} already exists.")
    if code == errno.ENOTEMPTY:
        return FileError(f"{shown} is a directory that is not empty.")
    if code == errno.ENOSPC:
        return FileError(f"No space left on the device for {shown}.")
    if code == errno.EROFS:
        return FileError(f"{shown} is on a read-only file system.")
    reason = exc.strerror or type(exc).__name__
    return FileError(f"{shown}: {reason}.")
