"""Files kept between runs in a folder of ``.dingtalk-cache/``: each written whole or not at all, and a file that
cannot be read or written is simply not kept (the work it would have saved is done again)."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


class KeptFiles:
    """The files of one folder, by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, name: str) -> bytes | None:
        """The file's bytes; None when there is no such file or it cannot be read."""
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def write(self, name: str, blob: bytes) -> None:
        """Keep ``blob`` as ``name``; a process reading it meanwhile sees the old file or the new one, never a part."""
        partial = self.folder / f"{name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(blob)
            os.replace(partial, self.folder / name)
        except OSError:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
