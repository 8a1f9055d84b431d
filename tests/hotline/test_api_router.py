"""The API's routes sit in one flat router (issue 11: FastAPI walked thirty nested routers to match
each request, twice), which the app holds as its own routes, served exactly where the module
routers declare them."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from hotline.api import API_PREFIX, ROUTERS, api_router
from hotline.config import Settings
from hotline.main import create_app


def test_the_api_router_is_flat() -> None:
    router = api_router()
    assert router.routes, "no API route at all"
    nested = [route for route in router.routes if not isinstance(route, APIRoute)]
    assert nested == []
    declared = [route for module in ROUTERS for route in module.routes]
    assert router.routes == declared  # every module route, in the modules' order


def test_every_module_route_is_served_under_the_prefix(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"))
    paths = app.openapi()["paths"]
    missing = [
        f"{method} {route.path}"
        for module in ROUTERS
        for route in module.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
        if method.lower() not in paths.get(API_PREFIX + route.path, {})
    ]
    assert missing == []


def test_the_app_matches_api_routes_itself(tmp_path: Path) -> None:
    # An included router is matched twice per request, through FastAPI's route contexts; the
    # app's own routes once (see hotline.api.add_routes). Every module route is there, prefixed,
    # in the modules' order, with its endpoint, methods and name.
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"))
    served = [
        (route.path, route.methods, route.endpoint, route.name)
        for route in app.router.routes
        if isinstance(route, APIRoute) and route.path.startswith(API_PREFIX + "/")
    ]
    declared = [
        (API_PREFIX + route.path, route.methods, route.endpoint, route.name)
        for module in ROUTERS
        for route in module.routes
    ]
    assert served == declared
