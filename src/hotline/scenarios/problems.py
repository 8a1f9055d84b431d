"""A scenario's problems in the reader's language.

The simulator may not import hotline, so it says what is wrong as data
(``simulations.scenario.ScenarioProblem``: a path, a code, the values its text names) with its own
English; the words for people are the one catalogue's: ``scenario.problem.<code>``, and for the
scenario's routing policy the same ``config.problem.<code>`` texts the configuration pages use.
The file name and the path stay as written: they are what the person must find in the YAML.
"""

from __future__ import annotations

from hotline.web import i18n
from simulations.scenario import POLICY_PREFIX, ScenarioError, ScenarioProblem

MESSAGE_PREFIX = "scenario.problem."
_POLICY_MESSAGE_PREFIX = "config.problem."


class _Params(dict[str, object]):
    """The values a text names; one the problem lacks shows its placeholder rather than
    raising (a wording with a hole beats a 500; the catalogue test keeps them in step)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message_key(problem: ScenarioProblem) -> str:
    """The catalogue id that words ``problem``."""
    if problem.code.startswith(POLICY_PREFIX):
        return _POLICY_MESSAGE_PREFIX + problem.code.removeprefix(POLICY_PREFIX)
    return MESSAGE_PREFIX + problem.code


def message(problem: ScenarioProblem, lang: i18n.Lang) -> str:
    """What is wrong, in ``lang`` (without the path). A code the catalogue does not word yet
    keeps the simulator's English rather than showing a message id."""
    key = message_key(problem)
    if key not in i18n.CATALOG:
        return problem.english
    return i18n.translate(lang, key).format_map(_Params(problem.params))


def lines(exc: ScenarioError, lang: i18n.Lang, source: str | None = None) -> list[str]:
    """One ``file: path: message`` per problem, in ``lang`` (``source`` names the file when the
    person knows it by another name than the one the simulator was given)."""
    named = source or exc.source
    shown = []
    for problem in exc.items:
        where = ": ".join(part for part in (named, problem.path) if part)
        shown.append(f"{where}: {message(problem, lang)}" if where else message(problem, lang))
    return shown
