"""The console's pages through the app (the browser tests drive the same pages in Chromium):
the inbox's scope, filters and deadline bands, the order page's buttons from the lifecycle
table, actions posted as htmx does, a stale form asking for a reload, masked directors."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def _sign_in(client: httpx.AsyncClient, username: str) -> str:
    """Signs in through the login form; the answer is where sign-in lands."""
    client.cookies.clear()
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await client.post(
        "/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1]},
    )
    assert signed.status_code == 303
    return str((await client.get("/")).headers["location"])


async def _post(client: httpx.AsyncClient, url: str, **form: str) -> httpx.Response:
    csrf = client.cookies.get("hotline_csrf") or ""
    return await client.post(url, data=form, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})


async def test_a_specialist_lands_on_the_inbox_and_works_an_order_from_its_page(
    centre: Centre,
) -> None:
    mine = await centre.dispatched("dept_a")
    theirs = await centre.dispatched("dept_b")
    client = centre.client
    assert await _sign_in(client, "specialist-a") == "/workorders"
    inbox = await client.get("/workorders")
    assert inbox.status_code == 200
    assert mine["reference"] in inbox.text
    assert theirs["reference"] not in inbox.text
    assert 'class="deadline band-' in inbox.text
    # Filters: another state empties the list; a bad value is named, not a 500.
    assert mine["reference"] not in (await client.get("/workorders?state=closed")).text
    odd = await client.get("/workorders?state=sideways&category=gossip")
    assert odd.status_code == 200
    assert "state, category" in odd.text

    page = await client.get(f"/workorders/{mine['reference']}")
    assert page.status_code == 200
    buttons = re.findall(r'id="btn-([a-z_]+)"', page.text)
    assert buttons == ["acknowledge", "return"]  # the lifecycle table's answer, in its order
    assert "13912345678" in page.text  # specialists see the taxpayer
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision is not None
    done = await _post(
        client, f"/workorders/{mine['reference']}/actions/acknowledge", revision=revision[1]
    )
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == f"/workorders/{mine['reference']}?done=acknowledge"
    assert (await centre.get(mine["id"]))["status"] == "acknowledged"
    # The same form again: the order moved on, so the page asks for a reload.
    stale = await _post(
        client, f"/workorders/{mine['reference']}/actions/start", revision=revision[1]
    )
    assert stale.headers["HX-Retarget"] == "#wo-notice"
    assert 'id="wo-stale"' in stale.text
    assert "刷新" in stale.text
    assert (await centre.get(mine["id"]))["status"] == "acknowledged"
    # Another department's order is not shown.
    other = await client.get(f"/workorders/{theirs['reference']}")
    assert other.status_code == 403


async def test_a_director_sees_the_console_masked_and_without_buttons(centre: Centre) -> None:
    order = await centre.dispatched("dept_a")
    client = centre.client
    assert await _sign_in(client, "director-user") == "/reports"  # a director lands on the reports
    page = await client.get(f"/workorders/{order['reference']}")
    assert page.status_code == 200
    assert "13912345678" not in page.text
    assert 'id="wo-no-actions"' in page.text
    found = await client.get("/workorders", params={"q": "13912345678"})
    assert order["reference"] in found.text
    assert "张三丰" not in found.text
    assert "张**" in found.text  # the name, masked
    # The reference a taxpayer quotes opens the order straight away.
    quoted = await client.get("/workorders", params={"q": order["reference"]})
    assert quoted.status_code == 303
    assert quoted.headers["location"] == f"/workorders/{order['reference']}"
    missing = await client.get("/workorders/12366-20200101-9999")
    assert missing.status_code == 404
    assert 'id="wo-missing"' in missing.text


async def test_a_supervisor_merges_a_duplicate_picked_from_a_search_and_records_a_follow_up(
    centre: Centre,
) -> None:
    kept = await centre.dispatched("dept_a")
    duplicate = await centre.create(subject="Same question, second call")
    other = await centre.create(subject="Another taxpayer", taxpayer={"phone": "13700000000"})
    client = centre.client
    await _sign_in(client, "supervisor-user")
    page = await client.get(f"/workorders/{duplicate['reference']}")
    assert 'id="btn-merge"' in page.text
    # The merge form lists the same taxpayer's orders of the same category, not others'.
    candidates = await client.get(f"/workorders/{duplicate['reference']}/duplicates")
    assert kept["id"] in candidates.text
    assert other["id"] not in candidates.text
    by_reference = await client.get(
        f"/workorders/{duplicate['reference']}/duplicates", params={"q": kept["reference"]}
    )
    assert kept["id"] in by_reference.text
    audited = await centre.audit_entries("supervisor-user")
    assert any(entry.detail.get("purpose") == "console_merge" for entry in audited)
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision is not None
    merged = await _post(
        client,
        f"/workorders/{duplicate['reference']}/actions/merge",
        revision=revision[1],
        into=kept["id"],
        reason="同一纳税人重复来电",
    )
    assert merged.status_code == 204, merged.text
    assert (await centre.get(duplicate["id"]))["merged_into"] == kept["id"]

    # 回访 on a resolved order: a score outside 1-5 is refused with what to do, 5 is recorded.
    resolved = await centre.dispatched("dept_a")
    await centre.act(resolved["id"], "acknowledge", "specialist_a")
    done = await centre.act(resolved["id"], "resolve", "specialist_a", answer="已答复")
    url = f"/workorders/{resolved['reference']}/actions/follow_up"
    bad = await _post(client, url, revision=str(done["revision"]), satisfaction="9")
    assert "1 到 5" in bad.text
    good = await _post(client, url, revision=str(done["revision"]), satisfaction="5", note="满意")
    assert good.status_code == 204
    assert (await centre.get(resolved["id"]))["satisfaction"] == 5


async def test_the_inbox_pages_by_deadline_and_filters_by_department(centre: Centre) -> None:
    for _ in range(27):
        await centre.dispatched("dept_a")
    in_b = await centre.dispatched("dept_b")
    client = centre.client
    await _sign_in(client, "supervisor-user")
    first = await client.get("/workorders")
    assert len(re.findall(r'class="wo-row"', first.text)) == 25
    following = re.search(r'id="wo-next" href="([^"]+)"', first.text)
    assert following is not None
    second = await client.get(following[1].replace("&amp;", "&"))
    assert len(re.findall(r'class="wo-row"', second.text)) == 3
    assert 'id="wo-first"' in second.text
    shown = set(re.findall(r'data-reference="([^"]+)"', first.text + second.text))
    assert len(shown) == 28  # no order twice, none left out
    only_b = await client.get("/workorders", params={"department": centre.ids["dept_b"]})
    assert re.findall(r'data-reference="([^"]+)"', only_b.text) == [in_b["reference"]]
    broken = await client.get("/workorders", params={"cursor": "not-a-cursor"})
    assert broken.status_code == 200
    assert 'id="wo-next"' in broken.text  # back on the first page, told so
    assert "翻页链接已失效" in broken.text
