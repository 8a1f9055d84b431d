"""Masking of taxpayer personal data for roles that do not need to see it in full."""

from __future__ import annotations


def mask_phone(number: str | None) -> str | None:
    """Keep the first three and last four digits: 138****8000 (enough to recognise a caller)."""
    if number is None:
        return None
    digits = number.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """Keep the family name (the first character): 张** ."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_tax_id(tax_id: str | None) -> str | None:
    """Keep the first four and last two characters of a taxpayer identification number."""
    if tax_id is None:
        return None
    if len(tax_id) <= 6:
        return "*" * len(tax_id)
    return tax_id[:4] + "*" * (len(tax_id) - 6) + tax_id[-2:]
