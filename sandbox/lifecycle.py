"""What the in-process server and the child process share: start, stop, and use as a context manager."""

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Runnable(ABC):
    """`with runnable:` starts it and stops it on the way out."""

    @abstractmethod
    def start(self) -> Self: ...

    @abstractmethod
    def stop(self) -> object: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
