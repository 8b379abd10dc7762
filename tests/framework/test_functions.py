"""common.cases.functions: the project's own template functions, registered with ``@template_function``, their
calls checked at collection (arity, literal kinds) and a broken functions file reported as one line."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common.cases import functions
from common.cases.functions import (
    FUNCTIONS_FILE,
    FunctionDefinitionError,
    FunctionsFileError,
    load_functions_file,
    load_project_functions,
    template_function,
)
from common.cases.model import Case, InvalidCase
from common.cases.templating import Context, TemplateError, compile_template
from common.plugin import fixtures
from tests.framework.fakes import PROJECT, LoadText


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A registry of this test's own: the project's functions file counts as read (and holds nothing here)."""
    fresh: dict[str, Any] = {}
    monkeypatch.setattr(functions, "_REGISTRY", fresh)
    monkeypatch.setattr(functions, "_loaded", {FUNCTIONS_FILE: None})
    yield fresh


def render(source: Any, **variables: Any) -> Any:
    return compile_template(source).render(Context(variables))


def define_examples() -> None:
    @template_function
    def shout(text: str, times: int = 1) -> str:
        return text.upper() * times

    @template_function(name="total")
    def add_up(*numbers: float) -> float:
        return sum(numbers)

    @template_function
    def first(items: list) -> Any:
        return items[0]

    @template_function
    def echo(value) -> Any:  # type: ignore[no-untyped-def]
        return value

    @template_function
    def fails() -> None:
        raise KeyError("gone")


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("${shout('hi')}", "HI"),
        ('${shout("a, b", 2)}', "A, BA, B"),
        ("${total()}", 0),
        ("${total(1, 2.5, -3)}", 0.5),
        ("${first(ids)}", "a"),
        ("${first(profile.ids)}", "p"),
        ("${echo(true)}", True),
        ("${echo(null)}", None),
        ("${echo(name)}", "bob"),
        ("id-${shout(name)}-${total(1, 1)}", "id-BOB-2"),
        ("${echo('')}", ""),
        ('${echo("")}', ""),
        ("${echo(11)}", 11),  # a number whose first and last characters agree is no quoted text
        ("${echo(Name)}", "Bob"),  # a variable name may start with a capital
        ("${echo(_name)}", "bob"),
    ],
)
def test_a_registered_function_takes_literals_and_variables(source: str, rendered: Any) -> None:
    define_examples()
    value = render(source, ids=["a"], profile={"ids": ["p"]}, name="bob", Name="Bob", _name="bob")
    assert value == rendered and type(value) is type(rendered)


def test_a_variable_argument_is_a_reference_the_loader_checks() -> None:
    define_examples()
    assert compile_template("${first(profile.test_userids)}").references == {("profile", "test_userids")}
    assert compile_template("${shout('x')}").variables == frozenset()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("${shout()}", "shout() takes 1 to 2 arguments, got 0 (use shout(text: str, times: int = 1))"),
        ("${shout('a', 1, 2)}", "shout() takes 1 to 2 arguments, got 3 (use shout(text: str, times: int = 1))"),
        ("${first()}", "first() takes 1 argument, got 0 (use first(items: list))"),
        ("${fails(1)}", "fails() takes 0 arguments, got 1 (use fails())"),
        (
            "${shout(3)}",
            "shout() argument 1 (text) must be str, got int 3 (use shout(text: str, times: int = 1))",
        ),
        (
            "${shout('a', 'b')}",
            "shout() argument 2 (times) must be int, got str 'b' (use shout(text: str, times: int = 1))",
        ),
        (
            "${shout('a', true)}",
            "shout() argument 2 (times) must be int, got bool True (use shout(text: str, times: int = 1))",
        ),
        (
            "${total(1, 'x')}",
            "total() argument 2 (numbers) must be int or float, got str 'x' (use total(*numbers: float))",
        ),
        ("${first('abc')}", "first() argument 1 (items) must be list, got str 'abc' (use first(items: list))"),
        ("${shout(1x)}", "'1x' is neither a literal nor a variable: quote text, e.g. '1x'"),
        ("${shout('a',)}", "cannot read the arguments ''a',': an argument is missing after the last comma"),
        ("${shout('a)}", "cannot read the arguments ''a': separate them with commas, quote text"),
    ],
)
def test_a_wrong_call_fails_at_compile_time(source: str, message: str) -> None:
    define_examples()
    with pytest.raises(TemplateError) as raised:
        compile_template({"json": [source]})
    assert str(raised.value) == message


def test_a_variable_of_the_wrong_kind_fails_when_rendered() -> None:
    define_examples()
    template = compile_template("${first(name)}")
    with pytest.raises(TemplateError, match=r"first\(\) argument 1 \(items\) must be list, got str 'bob'"):
        template.render(Context({"name": "bob"}))


def test_a_function_that_raises_fails_its_render_naming_itself() -> None:
    define_examples()
    with pytest.raises(TemplateError, match=r"^fails\(\) raised KeyError: 'gone'$"):
        render("${fails()}")


def test_an_unknown_function_lists_the_project_s_own_too() -> None:
    define_examples()
    with pytest.raises(TemplateError, match=r"known are chars, datetime, echo, fails, first, now_ms, repeat, shout"):
        compile_template("${nope()}")


def test_the_decorator_returns_the_function_unchanged() -> None:
    def double(n: int) -> int:
        return n * 2

    assert template_function(double) is double and double(2) == 4
    assert render("${double(21)}") == 42


@pytest.mark.parametrize(
    ("define", "message"),
    [
        (lambda: template_function(lambda: 1, name="now_ms"), "'now_ms' is a built-in template function"),
        (lambda: template_function(lambda: 1, name="no-dash"), "'no-dash' cannot be a template function name"),
        (lambda: template_function(42), "@template_function decorates a function, not 42"),
        (lambda: template_function(_keyword_only), "parameter 'size' is keyword-only"),
        (lambda: template_function(_tuple_argument), "parameter 'pair' is annotated <class 'tuple'>"),
    ],
)
def test_a_function_that_cannot_be_called_from_yaml_is_refused_where_it_is_defined(define: Any, message: str) -> None:
    with pytest.raises(FunctionDefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        define()


def _keyword_only(*, size: int) -> int:
    return size


def _tuple_argument(pair: tuple) -> Any:  # type: ignore[type-arg]
    return pair


def test_one_name_defined_twice_is_refused() -> None:
    @template_function
    def twice() -> int:
        return 1

    with pytest.raises(FunctionDefinitionError, match="template function 'twice' is already defined at tests/"):

        @template_function(name="twice")
        def other() -> int:
            return 2


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "functions.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    from common.cases.functions import template_function


    @template_function
    def greet(name: str) -> str:
        return "hello " + name
"""


def test_a_functions_file_registers_what_it_decorates(tmp_path: Path) -> None:
    load_functions_file(write(tmp_path, GOOD))
    assert render("${greet('you')}") == "hello you"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("def broken(:\n    pass\n", "functions.py:1: syntax error: invalid syntax"),
        ("import os\nimport no_such_module_here\n", "functions.py:2: ModuleNotFoundError: No module named"),
        ("\n\nx = 1 / 0\n", "functions.py:3: ZeroDivisionError: division by zero"),
        (
            "from common.cases.functions import template_function\n\n\n@template_function\ndef now_ms() -> int:\n"
            "    return 1\n",
            "functions.py:4: FunctionDefinitionError: 'now_ms' is a built-in template function",
        ),
    ],
)
def test_a_broken_functions_file_is_one_line_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FunctionsFileError) as raised:
        load_functions_file(path)
    assert str(raised.value).startswith(f"{tmp_path}/{message}"), str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_project_file_is_read_once_and_only_when_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions, "_loaded", {})
    load_project_functions(tmp_path / "absent.py")
    path = write(tmp_path, GOOD)
    load_project_functions(path)
    path.write_text("this is not python", encoding="utf-8")
    load_project_functions(path)  # read once: not again
    assert render("${greet('x')}") == "hello x"


def test_a_broken_project_file_stops_the_run_at_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "def broken(:\n")
    monkeypatch.setattr(functions, "FUNCTIONS_FILE", path)
    monkeypatch.setattr(functions, "_loaded", {})

    class Config:
        def addinivalue_line(self, name: str, line: str) -> None:
            pass

    with pytest.raises(pytest.UsageError, match=r"functions.py:1: syntax error: invalid syntax$"):
        fixtures.pytest_configure(Config())  # type: ignore[arg-type]


def test_a_broken_project_file_makes_every_case_that_calls_one_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, load_text: LoadText
) -> None:
    path = write(tmp_path, "import nowhere_to_be_found\n")
    monkeypatch.setattr(functions, "FUNCTIONS_FILE", path)
    monkeypatch.setattr(functions, "_loaded", {})
    [case] = load_text(CASE.format(title="${greet('x')}"))
    assert isinstance(case, InvalidCase)
    assert "functions.py:1: ModuleNotFoundError: No module named 'nowhere_to_be_found'" in case.message


CASE = """\
epic: E
feature: f
cases:
  - id: a
    title: t
    request:
      path: /topapi/blackboard/category/list
      json:
        operation_userid: "{title}"
"""


def test_the_loader_reports_a_wrong_call_with_file_line_case_and_field(load_text: LoadText) -> None:
    define_examples()
    [case] = load_text(CASE.format(title="${shout('a', 'b')}"))
    assert isinstance(case, InvalidCase)
    assert case.message == (
        "cases.yaml:9 case 'a' request.json.operation_userid: shout() argument 2 (times) must be int, got str 'b' "
        "(use shout(text: str, times: int = 1))"
    )


def test_the_loader_checks_the_variables_a_call_reads(load_text: LoadText) -> None:
    define_examples()
    [case] = load_text(CASE.format(title="${first(profile.no_such_key)}"))
    assert isinstance(case, InvalidCase) and "the tenant profile has no key 'no_such_key'" in case.message
    [case] = load_text(CASE.format(title="${first(profile.test_userids)}"))
    assert isinstance(case, Case)


def test_the_shipped_example_file_loads_and_its_function_works(monkeypatch: pytest.MonkeyPatch) -> None:
    assert FUNCTIONS_FILE == PROJECT / "functions.py"
    load_functions_file(FUNCTIONS_FILE)
    assert render("${csv(ids)}", ids=["u1", 2]) == "u1,2"
    assert render("${csv(ids, ' | ')}", ids=["a", "b"]) == "a | b"
