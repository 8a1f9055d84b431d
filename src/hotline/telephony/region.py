"""Where a caller's number comes from, for routing by region and for reports."""

from __future__ import annotations

import phonenumbers
from phonenumbers import geocoder

UNKNOWN = "unknown"
INTERNATIONAL = "international"


def region_of(number: str) -> str:
    """ "浙江省杭州市" for a Chinese number the geocoder knows; "international" or "unknown"."""
    digits = number.strip()
    if not digits:
        return UNKNOWN
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return UNKNOWN
    if parsed.country_code != 86:
        return INTERNATIONAL
    if not phonenumbers.is_possible_number(parsed):
        return UNKNOWN
    return geocoder.description_for_number(parsed, "zh") or UNKNOWN
