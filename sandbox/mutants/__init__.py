"""Contract mutants: sandboxes that break exactly one documented point of the DingTalk API, to measure how
strong the suite is (a mutant the suite does not fail on is a contract point no case checks).

`python -m sandbox --mutant NAME` (or `DINGTALK_SANDBOX_MUTANT=NAME`) runs one; `--list-mutants` lists them.
Each mutant wraps one endpoint's faithful handler or exchange (see `core.Hooks`); the routes are untouched.
"""

import difflib
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from sandbox.mutants import access, blackboard, org, report
from sandbox.mutants.core import Around, Call, Hooks, Mutant, Next, Probe, run_probe
from sandbox.protocol.messages import Reply, Request
from sandbox.routes.base import Route
from sandbox.state import TenantState

__all__ = ["ENV_VAR", "MUTANTS", "Call", "Hooks", "Mutant", "Probe", "UnknownMutant", "install", "lookup", "run_probe"]

ENV_VAR = "DINGTALK_SANDBOX_MUTANT"
MUTANTS: Mapping[str, Mutant] = {
    mutant.name: mutant for group in (access, blackboard, report, org) for mutant in group.MUTANTS
}
KINDS = tuple(dict.fromkeys(mutant.kind for mutant in MUTANTS.values()))


class UnknownMutant(ValueError):
    """A mutant name that is not in the registry; the message is one line, with a did-you-mean."""


def lookup(name: str) -> Mutant:
    mutant = MUTANTS.get(name.strip())
    if mutant is not None:
        return mutant
    close = difflib.get_close_matches(name.strip(), list(MUTANTS), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; --list-mutants lists them"
    raise UnknownMutant(f"unknown mutant {name!r}{hint}")


def listing() -> list[str]:
    """One line per mutant: name, kind, endpoint and the documented statement it breaks."""
    width = max(len(name) for name in MUTANTS)
    kind_width = max(len(kind) for kind in KINDS)
    return [f"{m.name:<{width}}  {m.kind:<{kind_width}}  {m.endpoint}  {m.statement}" for m in MUTANTS.values()]


def install(name: str, routes: Mapping[tuple[str, str], Route]) -> tuple[dict[tuple[str, str], Route], Around | None]:
    """The route table with the mutant's handler wrappers, and its exchange wrapper (None if it has none).

    Fresh hooks for each call: a mutant that remembers something (deleted ids, created reports) keeps it per sandbox.
    """
    mutant = lookup(name)
    hooks = mutant.apply()
    table = dict(routes)
    wrappers = {mutant.endpoint: hooks.handler} if hooks.handler else {}
    for endpoint, wrapper in (*wrappers.items(), *hooks.others.items()):
        method, path = endpoint.split(" ", 1)
        route = table[(method, path)]
        table[(method, path)] = replace(route, handler=wrapper(route.handler))
    if hooks.around is None:
        return table, None
    mutated = hooks.around

    def exchange(request: Request, state: TenantState, next_: Next) -> Reply | None:
        if urlsplit(request.target).path == mutant.path:
            return mutated(request, state, next_)
        return next_(request)

    return table, exchange
