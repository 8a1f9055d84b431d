"""The language an API answer's words are in: ``Accept-Language``, zh-CN when it names none we
have (hotline.web.i18n is the one catalogue). Only what people read is translated (a problem's
``message``); codes, paths and the English ``msg`` stay as they are for programs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from hotline.web import i18n


def request_lang(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description="the language of messages people read: zh-CN (default) or en",
        ),
    ] = None,
) -> i18n.Lang:
    return i18n.pick_accepted(accept_language)


RequestLang = Annotated[i18n.Lang, Depends(request_lang)]
