"""The API additions of the work-order console: lookup by reference, the console's filters and
search, the actions the lifecycle allows, and optimistic concurrency (If-Match / ETag, 409)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hotline.config import Settings
from hotline.db.models.workorder import OPEN_PREDICATE
from hotline.main import create_app
from tests.hotline.workorders.conftest import TAXPAYER, Centre
from workorders.model import OPEN_STATUSES

pytestmark = pytest.mark.asyncio


async def _listed(centre: Centre, who: str, **params: Any) -> list[dict[str, Any]]:
    response = await centre.client.get(
        "/api/v1/workorders", params=params, headers=centre.headers(who)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_order_is_read_by_its_reference_with_an_etag_and_its_allowed_actions(
    centre: Centre,
) -> None:
    order = await centre.dispatched("dept_a")
    response = await centre.client.get(
        f"/api/v1/workorders/by-reference/{order['reference']}",
        headers=centre.headers("specialist_a"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == order["id"]
    assert response.headers["etag"] == f'"{body["revision"]}"'
    # The lifecycle table decides: a specialist of the department may sign for it or return it.
    assert body["allowed_actions"] == ["acknowledge", "return"]
    supervisor = (await centre.get(order["id"], "supervisor"))["allowed_actions"]
    assert "acknowledge" not in supervisor
    assert "supervise" in supervisor
    # Another department's specialist is refused, an unknown reference is a 404 naming it, a
    # malformed one a 422.
    other = await centre.client.get(
        f"/api/v1/workorders/by-reference/{order['reference']}",
        headers=centre.headers("specialist_b"),
    )
    assert other.status_code == 403
    missing = await centre.client.get(
        "/api/v1/workorders/by-reference/12366-20200101-9999", headers=centre.headers("supervisor")
    )
    assert missing.status_code == 404
    assert "12366-20200101-9999" in missing.json()["detail"]
    bad = await centre.client.get(
        "/api/v1/workorders/by-reference/nope", headers=centre.headers("supervisor")
    )
    assert bad.status_code == 422


async def test_acting_on_a_stale_copy_is_a_409_naming_both_versions_and_changes_nothing(
    centre: Centre,
) -> None:
    order = await centre.dispatched("dept_a")
    seen = await centre.client.get(
        f"/api/v1/workorders/{order['id']}", headers=centre.headers("specialist_a")
    )
    etag = seen.headers["etag"]
    # Someone else acts first (the supervisor urges it) ...
    await centre.act(order["id"], "supervise", "supervisor", reason="taxpayer called again")
    before = await centre.counts()
    # ... so the specialist's sign-for, made on the copy they saw, is refused.
    stale = await centre.client.post(
        f"/api/v1/workorders/{order['id']}/actions/acknowledge",
        json={},
        headers={**centre.headers("specialist_a"), "If-Match": etag},
    )
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["error"] == "stale_order"
    assert f"version {etag.strip(chr(34))}" in problem["detail"]
    assert "reload" in problem["detail"]
    current = await centre.get(order["id"])
    assert stale.headers["etag"] == f'"{current["revision"]}"'
    assert current["status"] == "dispatched"
    assert await centre.counts() == before
    # With the current ETag it goes through, and the answer carries the next one.
    done = await centre.client.post(
        f"/api/v1/workorders/{order['id']}/actions/acknowledge",
        json={},
        headers={**centre.headers("specialist_a"), "If-Match": stale.headers["etag"]},
    )
    assert done.status_code == 200, done.text
    assert done.headers["etag"] == f'"{done.json()["revision"]}"'
    # A malformed If-Match is a 422 naming the header.
    bad = await centre.client.post(
        f"/api/v1/workorders/{order['id']}/actions/start",
        json={},
        headers={**centre.headers("specialist_a"), "If-Match": "yesterday"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["header", "If-Match"]


async def test_the_console_filters_and_searches_the_list(centre: Centre) -> None:
    complaint = await centre.create(
        category="complaint",
        priority="urgent",
        subject="发票开具被拒绝",
        taxpayer={**TAXPAYER, "phone": "13800000001", "taxpayer_number": "91330100AAAA0001X"},
    )
    enquiry = await centre.create(subject="个税专项附加扣除怎么填")
    await centre.act(enquiry["id"], "dispatch", "supervisor", department_id=centre.ids["dept_a"])

    def refs(items: list[dict[str, Any]]) -> set[str]:
        return {item["reference"] for item in items}

    sup = "supervisor"
    assert refs(await _listed(centre, sup, category="complaint")) == {complaint["reference"]}
    assert refs(await _listed(centre, sup, priority="urgent")) == {complaint["reference"]}
    assert refs(await _listed(centre, sup, phone="13800000001")) == {complaint["reference"]}
    assert refs(await _listed(centre, sup, taxpayer_number="91330100AAAA0001X")) == {
        complaint["reference"]
    }
    assert complaint["reference"] not in refs(await _listed(centre, sup, taxpayer_name="李四"))
    assert refs(await _listed(centre, sup, text="附加扣除")) == {enquiry["reference"]}
    assert refs(await _listed(centre, sup, text="100%_off")) == set()  # LIKE wildcards escaped
    plain = await centre.create()  # "How is the small-business VAT exemption applied?"
    assert refs(await _listed(centre, sup, text="vat EXEMPTION")) == {plain["reference"]}
    assert refs(await _listed(centre, sup, reference=enquiry["reference"])) == {
        enquiry["reference"]
    }
    # "mine": the supervisor dispatched the enquiry; the agent created both.
    assert refs(await _listed(centre, sup, mine=True)) == {enquiry["reference"]}
    assert refs(await _listed(centre, "agent", mine=True)) >= {
        complaint["reference"],
        enquiry["reference"],
    }
    # A director searches by phone too, and sees the taxpayer masked; the supervisor's full
    # read is audited.
    masked = await _listed(centre, "director", phone="13800000001")
    assert masked[0]["taxpayer"]["masked"] is True
    assert masked[0]["taxpayer"]["phone"] != "13800000001"
    assert await centre.audit_entries("supervisor-user")
    # Bad input names the field.
    bad = await centre.client.get(
        "/api/v1/workorders", params={"category": "gossip"}, headers=centre.headers(sup)
    )
    assert bad.status_code == 422
    assert "category" in str(bad.json()["detail"])


async def test_the_console_indexes_hold_exactly_the_open_orders() -> None:
    """The partial indexes' predicate names the domain's open statuses, no more, no fewer."""
    named = set(re.findall(r"'(\w+)'", OPEN_PREDICATE))
    assert named == {status.value for status in OPEN_STATUSES}


async def test_the_openapi_documents_the_console_endpoints_and_their_errors() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    paths = app.openapi()["paths"]
    by_reference = paths["/api/v1/workorders/by-reference/{reference}"]["get"]
    assert {"401", "403", "404", "422"} <= set(by_reference["responses"])
    act = paths["/api/v1/workorders/{order_id}/actions/{action}"]["post"]
    assert "stale_order" in act["responses"]["409"]["description"]
    assert any(p["name"] == "if-match" for p in act["parameters"])
    listed = {p["name"] for p in paths["/api/v1/workorders"]["get"]["parameters"]}
    assert {"category", "priority", "mine", "phone", "taxpayer_number", "text"} <= listed
