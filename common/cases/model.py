"""The typed, validated form of a YAML case: built once at collection, read-only afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from common.cases.templating import Context, Template
from common.core.errors import Source


class Auth(Enum):
    """Which token a request carries."""

    TOKEN = "token"
    NONE = "none"
    INVALID = "invalid"
    APP = "app"
    """The app's appkey and appsecret as query parameters (gettoken)."""
    ROBOT = "robot"
    """The tenant profile's custom robot: its access_token, a fresh timestamp and their sign."""
    ROBOT_WRONG_SIGN = "robot_wrong_sign"
    ROBOT_STALE_TIMESTAMP = "robot_stale_timestamp"


@dataclass(frozen=True)
class RequestSpec:
    """A request before rendering: its parts may hold ``${...}`` placeholders."""

    api: str
    method: str
    path: str
    query: Template | None
    json: Template | None
    headers: Template | None
    auth: Auth
    creates: bool = False
    """The endpoint makes a new object per call (data/spec/endpoints.yaml): never sent twice."""
    writes: str | None = None
    """What the endpoint does to the tenant per data/spec/endpoints.yaml (create, update, delete, send), or None."""
    object: str = ""
    """What it writes (e.g. ``announcement``), per the same spec."""


@dataclass(frozen=True)
class FieldCheck:
    """One assertion on a response field: ``path`` compared with ``comparator`` to ``expected``."""

    path: str
    parts: tuple[str | int, ...]
    comparator: str
    expected: Template
    source: Source

    def describe(self) -> str:
        """The assertion as the YAML wrote it, for failure messages."""
        return f"{self.path} {self.comparator} {self.expected.source!r}"


@dataclass(frozen=True)
class Expectation:
    """What a response must look like; ``schema`` is None when it comes from the endpoint's path."""

    status: int
    errcode: tuple[FieldCheck, ...]
    code: tuple[FieldCheck, ...]
    schema: str | None
    body: tuple[FieldCheck, ...]


@dataclass(frozen=True)
class Save:
    """Store the value at ``path`` of the response body as variable ``name``."""

    name: str
    path: str
    parts: tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    """A place inside a request: its ``json`` body or its ``query``, and the path within."""

    part: str
    parts: tuple[str | int, ...]


@dataclass(frozen=True)
class Pagination:
    """How a step walks every page: by cursor (``cursor`` + ``next``) or by page number (``page``)."""

    items: tuple[str | int, ...]
    max_pages: int
    cursor: Location | None = None
    next: tuple[str | int, ...] | None = None
    has_more: tuple[str | int, ...] | None = None
    page: Location | None = None
    collect: tuple[FieldCheck, ...] = ()


@dataclass(frozen=True)
class Step:
    """One request, its expectations and what to save; with ``for_each``, one request per item."""

    name: str
    request: RequestSpec
    expect: Expectation
    saves: tuple[Save, ...]
    source: Source
    for_each: Template | None = None
    until: tuple[FieldCheck, ...] = ()
    paginate: Pagination | None = None
    needs: frozenset[str] = frozenset()
    """Variables this step renders that earlier steps save (teardown skips the step without them)."""
    when: tuple[FieldCheck, ...] = ()
    """Assertions over the saved variables: the step runs only when they all hold."""


@dataclass(frozen=True)
class Case:
    """One test case of a YAML file."""

    id: str
    title: str
    source: Source
    epic: str
    feature: str
    story: str
    severity: str
    tags: tuple[str, ...]
    writes: bool
    steps: tuple[Step, ...]
    teardown: tuple[Step, ...] = field(default=())
    sandbox_only: str | None = None
    """Why the case asserts what only the sandbox does (the docs do not state it): skipped on a live tenant."""
    unpinned: tuple[str, ...] = ()
    """The ``profile.counts`` keys the case compares with that the tenant profile does not pin: skipped then."""
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    """One row of the case's ``parametrize:`` table (variable → value, usable as ``${name}``); empty without one."""
    row: str | None = None
    """Which row of the table this is: its ``id:``, else its index (0 for the first); None without a table."""
    row_values: Template | None = field(default=None, hash=False)
    """The row's values when they hold placeholders (``${profile.x}``, ``${now_ms(-1d)}``): rendered per run."""

    def variables(self, context: Context) -> dict[str, Any]:
        """The row's values as the steps see them: ``params``, its placeholders rendered."""
        return dict(self.params) if self.row_values is None else self.row_values.render(context)

    @property
    def skip_reason(self) -> str | None:
        """Why this case cannot give a verdict on the tenant of its profile (None: it can)."""
        if not self.unpinned:
            return None
        keys = ", ".join(f"counts.{key}" for key in self.unpinned)
        return (
            f"the tenant profile does not pin {keys}: a living tenant's counts move, so exact counts are checked "
            "only where the profile pins them (the sandbox, a frozen test tenant)"
        )

    @property
    def test_id(self) -> str:
        """The pytest id: the file's stem and the case id, then the row of its table, e.g. ``hrm:size[max]``."""
        stem = self.source.file.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
        return f"{stem}:{self.name}"

    @property
    def name(self) -> str:
        """The case id, with the row of its table when it has one: ``size-limits[max]``, ``size-limits[0]``."""
        return self.id if self.row is None else f"{self.id}[{self.row}]"

    def __repr__(self) -> str:
        return f"Case({self.source} {self.name})"


@dataclass(frozen=True)
class InvalidCase:
    """A case (or a whole file) that failed validation: it is reported, never run."""

    test_id: str
    message: str

    def __repr__(self) -> str:
        return f"InvalidCase({self.test_id})"
