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
    home_roles: frozenset[Role] | None = None  # home for these roles only (None: all of roles)


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

    ``home``: True makes the page the landing page of all ``roles``; a list of roles makes it
    the landing page of those only (a page several roles open but only some work on)."""
    home_roles = None if isinstance(home, bool) else frozenset(home)
    _LINKS[href] = NavLink(
        key=key,
        href=href,
        roles=frozenset(roles),
        order=order,
        home=bool(home) if home_roles is None else bool(home_roles),
        home_roles=home_roles,
    )


def links_for(roles: Iterable[str]) -> list[NavLink]:
    have = set(roles)
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
            if link.home and (link.home_roles is None or have & {r.value for r in link.home_roles})
        ),
        "/home",
    )
