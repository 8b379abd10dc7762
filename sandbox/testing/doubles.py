"""Test doubles a sandbox takes in its config: a clock moved by hand and a sleep that only records."""

from dataclasses import dataclass, field


class FakeClock:
    """A clock tests move by hand (`SandboxConfig(clock=FakeClock())`): no sleeping to expire a token."""

    def __init__(self, now: float = 1_717_207_200.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingSleep:
    """A sleep function that only writes down how long it was asked to wait (`SandboxConfig(sleep=...)`)."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
