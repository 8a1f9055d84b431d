"""Caller origin (来电地区): in the centre's province by city, other provinces, abroad by country.

IP-call prefixes (17951, 17911, 12593, 17909, 10193: carriers' cheap long-distance codes dialled
before the number) are stripped first, or the geocoder would read them as part of the number;
then libphonenumber's offline geocoder (the ``phonenumbers`` package, data refreshed with each
release) names the place. Numbers it cannot place are counted as unknown, never guessed.

The geocoder answers from a number's prefix (for China at most the first 7 national digits: a
mobile's 7-digit block, a fixed line's area code and exchange) and its length, so a period's
Chinese numbers are placed once per (length, prefix) rather than once per number: a month of a
large centre has hundreds of thousands of distinct callers but tens of thousands of prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import geocoder

IP_PREFIXES = ("17951", "17911", "12593", "17909", "10193")
HOME_PROVINCE = "浙江省"
_PROVINCE = re.compile(r"^(.+?(?:省|自治区|特别行政区))(.*)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def strip_ip_prefix(number: str) -> str:
    """The number without a leading IP-call prefix (only when a full number follows it)."""
    digits = re.sub(r"[^\d+]", "", number)
    for prefix in IP_PREFIXES:
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
            return digits[len(prefix) :]
    return digits


@dataclass(frozen=True, slots=True)
class Place:
    scope: str  # home (in the province), province (another one), abroad, unknown
    name: str  # the city at home, the province elsewhere in China, the country abroad


# Chinese numbers as dialled at home: a mobile, or a fixed line after the trunk 0. Anything else
# (international forms, short codes) is placed number by number, and so are 11-digit numbers
# from 10, 11, 12 or 179: the parser reads those as a carrier code before some other number.
_MOBILE = re.compile(r"1(?:[3-68]\d|7[0-8]|9\d)\d{8}")
_FIXED = re.compile(r"0[1-9]\d{8,10}")
# The geocoder's longest Chinese prefix is "86" + 7 national digits: keeping 7 national digits
# (and the length, which decides whether the number is possible) keeps its answer.
_NATIONAL_DIGITS = 7


def prefix_key(digits: str) -> str:
    """What decides a number's place: for a Chinese one as dialled at home its first national
    digits, the rest zeroed (the length kept), so that every number of the prefix has the same
    key; any other number is its own key."""
    if _MOBILE.fullmatch(digits):
        kept = _NATIONAL_DIGITS
    elif _FIXED.fullmatch(digits):
        kept = _NATIONAL_DIGITS + 1  # the trunk 0 is not a national digit
    else:
        return digits
    return digits[:kept].ljust(len(digits), "0")


@lru_cache(maxsize=65_536)
def place_of(number: str, home: str = HOME_PROVINCE) -> Place:
    return _place_of_digits(strip_ip_prefix(number), home)


@lru_cache(maxsize=131_072)  # every Chinese mobile 7-digit block fits, across requests
def _place_of_digits(digits: str, home: str) -> Place:
    if not digits:
        return Place("unknown", "")
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return Place("unknown", "")
    if parsed.country_code != 86:
        country = geocoder.country_name_for_number(parsed, "zh")
        return Place("abroad", country or phonenumbers.region_code_for_number(parsed) or "?")
    if not phonenumbers.is_possible_number(parsed):
        return Place("unknown", "")
    where = geocoder.description_for_number(parsed, "zh")
    if not where:
        return Place("unknown", "")
    match = _PROVINCE.match(where)
    province, city = (match.group(1), match.group(2) or match.group(1)) if match else (where, where)
    if province.startswith(_MUNICIPALITIES):
        province = city = province[:3]
    if province == home:
        return Place("home", city)
    return Place("province", province)


def origin_report(counts: Iterable[tuple[str, int]], home: str = HOME_PROVINCE) -> dict[str, Any]:
    """Calls per place from (number, calls) pairs: ranked within each scope."""
    # Calls per prefix (or per number where no prefix decides), each key geocoded once.
    groups: dict[str, int] = {}
    for number, calls in counts:
        key = prefix_key(strip_ip_prefix(number))
        groups[key] = groups.get(key, 0) + calls
    tally: dict[tuple[str, str], int] = {}
    for key, calls in groups.items():
        place = _place_of_digits(key, home)
        tally[(place.scope, place.name)] = tally.get((place.scope, place.name), 0) + calls
    total = sum(tally.values())
    scopes: dict[str, list[dict[str, Any]]] = {
        "home": [],
        "province": [],
        "abroad": [],
        "unknown": [],
    }
    for (scope, name), calls in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])):
        scopes[scope].append(
            {"name": name, "calls": calls, "share": round(calls / total, 4) if total else None}
        )
    summary = {scope: sum(r["calls"] for r in rows) for scope, rows in scopes.items()}
    return {"home": home, "total": total, "summary": summary, **scopes}
