"""The YAML files the project is configured by are each checked against their schema under schemas/config/ as they
are read: a copy of the shipped file with a mistake gives one line naming the file, line and field, and a copy with
several mistakes gives all of them together, in the order of the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from common.cases.endpoints import load_spec as load_endpoints
from common.cases.profile import load_profile
from common.core.errors import ConfigError
from common.live.rules import load_guard
from common.live.sweep import load_spec as load_sweep
from tests.framework.fakes import PROJECT


@dataclass(frozen=True)
class Edit:
    """A mistake written into a shipped file: ``old`` becomes ``new``; ``error`` is the line it must give, with
    ``{line}`` for the line of ``at`` (by default of ``old``: a missing key is named at the mapping that lacks it)."""

    old: str
    new: str
    error: str
    at: str = ""


@dataclass(frozen=True)
class ConfigFile:
    """A shipped YAML file, how the project reads it, and mistakes to write into copies of it."""

    shipped: str
    shown: str
    load: Callable[[Path, str], object]
    edits: tuple[Edit, ...]


ENDPOINTS = ConfigFile(
    "data/spec/endpoints.yaml",
    "endpoints.yaml",
    lambda path, shown: load_endpoints(path, shown),
    (
        Edit(
            "path: /gettoken, group: auth,",
            "path: /gettoken, group: [auth],",
            "endpoints.yaml:{line} [0].group: must be a string, got ['auth']",
        ),
        Edit(
            "path: /topapi/blackboard/get, group: blackboard}",
            "path: /topapi/blackboard/get, group: blackboard, covred_by: me}",
            "endpoints.yaml:{line} [4].covred_by: unknown key 'covred_by': did you mean 'covered_by'?",
        ),
        Edit(
            "path: /topapi/report/list, group: report}",
            "path: /topapi/report/list}",
            "endpoints.yaml:{line} [10]: missing required key 'group'",
        ),
    ),
)
SAFETY = ConfigFile(
    "data/live/safety.yaml",
    "safety.yaml",
    lambda path, shown: load_guard(path, shown, {}, PROJECT),
    (
        Edit(
            "refused_over: 1000",
            "refused_over: many",
            "safety.yaml:{line} endpoints[0].fields.blackboard_receiver.userid_list.refused_over: "
            "must be an integer, got 'many'",
        ),
        Edit(
            "    traced_in: [title, content]",
            "    traced_by: [title, content]",
            "safety.yaml:{line} endpoints[0].traced_by: unknown key 'traced_by': did you mean 'traced_in'?",
        ),
        Edit(
            "  - path: /topapi/blackboard/update\n    object: update_request\n",
            "  - path: /topapi/blackboard/update\n",
            "safety.yaml:{line} endpoints[1]: missing required key 'object'",
        ),
    ),
)
SWEEP = ConfigFile(
    "data/live/sweep.yaml",
    "sweep.yaml",
    lambda path, shown: load_sweep(path, shown),
    (
        Edit("  - name: announcement\n", "  - name: 7\n", "sweep.yaml:{line} kinds[0].name: must be a string, got 7"),
        Edit(
            "      items: result\n",
            "      itmes: result\n",
            "sweep.yaml:{line} kinds[0].list.itmes: unknown key 'itmes': did you mean 'items'?",
        ),
        Edit(
            "      created: result.gmt_create\n",
            "",
            "sweep.yaml:{line} kinds[0].read: missing required key 'created'",
            at="    read:\n",
        ),
    ),
)
PROFILE = ConfigFile(
    "data/profiles/live.example.yaml",
    "data/profiles/live.yaml",
    lambda path, shown: load_profile(path, shown),
    (
        Edit(
            'plain_userid: "0000000000000000"',
            'plain-userid: "0000000000000000"',
            "data/profiles/live.yaml:{line} plain-userid: 'plain-userid' is not a plain name: use letters, digits "
            "and _, not starting with a digit",
        ),
        Edit(
            "test_dept_id: 1 ",
            "test_dept_id: R&D ",
            "data/profiles/live.yaml:{line} test_dept_id: must be a number like in live.example.yaml, got a string "
            "'R&D': see live.example.yaml",
        ),
        Edit(
            'corp_id: "ding0000000000000000"',
            "corp_id:",
            "data/profiles/live.yaml:{line} corp_id: has no value: fill it in",
        ),
    ),
)
CONFIG_FILES = [
    pytest.param(ENDPOINTS, id="endpoints"),
    pytest.param(SAFETY, id="safety"),
    pytest.param(SWEEP, id="sweep"),
    pytest.param(PROFILE, id="profile"),
]


def errors_of(config: ConfigFile, edits: tuple[Edit, ...], tmp_path: Path) -> list[str]:
    """The lines the project reports for a copy of the shipped file with ``edits`` made."""
    text = (PROJECT / config.shipped).read_text(encoding="utf-8")
    for edit in edits:
        assert text.count(edit.old) == 1, f"{edit.old!r} is not once in {config.shipped}"
        text = text.replace(edit.old, edit.new)
    copy = tmp_path / Path(config.shipped).name
    copy.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(copy, config.shown)
    return str(raised.value).splitlines()


def line_of(config: ConfigFile, edit: Edit) -> int:
    """The line of the edit's change (or of its ``at``) in the shipped file."""
    text = (PROJECT / config.shipped).read_text(encoding="utf-8")
    return text[: text.index(edit.at or edit.old)].count("\n") + 1


def expected(config: ConfigFile, edit: Edit) -> str:
    return edit.error.format(line=line_of(config, edit))


@pytest.mark.parametrize("path", sorted((PROJECT / "schemas" / "config").glob("*.json")), ids=lambda path: path.name)
def test_each_schema_is_a_json_schema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    assert [error.message for error in meta.iter_errors(schema)] == []


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_the_shipped_file_loads(config: ConfigFile) -> None:
    assert config.load(PROJECT / config.shipped, config.shown)


@pytest.mark.parametrize("config", CONFIG_FILES)
@pytest.mark.parametrize("which", range(3), ids=["wrong-type", "unknown-or-unusable-key", "missing"])
def test_a_mistake_is_one_line_naming_file_line_and_field(config: ConfigFile, which: int, tmp_path: Path) -> None:
    edit = config.edits[which]
    assert errors_of(config, (edit,), tmp_path) == [expected(config, edit)]


@pytest.mark.parametrize("config", CONFIG_FILES)
def test_every_mistake_of_a_file_is_reported_together_in_file_order(config: ConfigFile, tmp_path: Path) -> None:
    in_file_order = sorted(config.edits, key=lambda edit: line_of(config, edit))
    assert errors_of(config, config.edits, tmp_path) == [expected(config, edit) for edit in in_file_order]


def test_what_a_schema_cannot_check_is_reported_the_same_way_and_together(tmp_path: Path) -> None:
    edits = (
        Edit(
            "page: json.query_request.page",
            "page: result",
            "sweep.yaml:{line} kinds[0].list.page: the page number's place: json.<path> or query.<name>",
        ),
        Edit(
            "(?P<run_id>",
            "(",
            "sweep.yaml:{line} kinds[0].match: needs a named group (?P<run_id>...) around the run id",
        ),
    )
    assert errors_of(SWEEP, edits, tmp_path) == [expected(SWEEP, edit) for edit in edits]
