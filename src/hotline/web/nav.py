"""The navigation links of the top bar and the home page, registered by each area.

Each area's ``routes`` module calls :func:`register` for the pages it offers and the roles that
may open them, so a new screen appears in the navigation of exactly the people allowed to use it
without editing a shared template. The links only guide: every page still checks its own roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline.roles import Role


@dataclass(frozen=True)
class NavLink:
    key: str  # message id of the label
    href: str
    roles: frozenset[Role]
    order: int = 50  # position in the bar: lower first
    home: bool = False  # a role's work page: the first one allowed is where sign-in lands
    # The roles whose landing page it is, when only some of those that may open it (empty: all).
    home_roles: frozenset[Role] = frozenset()


_LINKS: dict[str, NavLink] = {}


def register(
    key: str,
    href: str,
    roles: Iterable[Role],
    order: int = 50,
    *,
    home: bool | Iterable[Role] = False,
) -> None:
    """Called once per link at import; registering the same href again replaces it.

    ``home``: True makes the page the landing page of every role listed; a list of roles makes
    it the landing page of those only (a console several roles open, home to some of them).
    """
    home_roles = frozenset() if isinstance(home, bool) else frozenset(home)
    _LINKS[href] = NavLink(
        key=key,
        href=href,
        roles=frozenset(roles),
        order=order,
        home=bool(home_roles) or home is True,
        home_roles=home_roles,
    )


def links_for(roles: Iterable[str]) -> list[NavLink]:
    have = {str(r) for r in roles}
    return sorted(
        (link for link in _LINKS.values() if have & {r.value for r in link.roles}),
        key=lambda link: (link.order, link.href),
    )


def home_for(roles: Iterable[str]) -> str:
    """The first work page the roles may open (by order), else the general home page."""
    have = {str(r) for r in roles}
    return next(
        (
            link.href
            for link in links_for(have)
            if link.home and (not link.home_roles or have & {r.value for r in link.home_roles})
        ),
        "/home",
    )


def current(links: Iterable[NavLink], path: str) -> str | None:
    """The href of the link the page at ``path`` belongs to: the longest one that is the path or
    a parent of it (so /kb/inbox marks "/kb/inbox", not also "/kb")."""
    matching = [
        link.href
        for link in links
        if path == link.href or path.startswith(link.href.rstrip("/") + "/")
    ]
    return max(matching, key=len, default=None)
