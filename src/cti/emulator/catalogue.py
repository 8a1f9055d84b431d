"""Static knowledge of the lab server: sound lengths and the fixed informational bodies."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from cti.emulator.clock import format_timestamp
from cti.emulator.model import Json
from cti.sounds import FORMATS, shipped

# Prompt lengths in seconds, measured on the lab's core sound files (gsm, en).
SOUND_SECONDS: dict[str, float] = {
    "hello-world": 1.42,
    "demo-congrats": 7.3,
    "queue-youarenext": 5.38,
    "pls-hold-while-try": 2.44,
    "digits/0": 0.6,
    "digits/1": 0.6,
    "digits/2": 0.76,
    "digits/3": 0.6,
    "digits/4": 0.6,
    "digits/5": 0.6,
    "digits/6": 0.6,
    "digits/7": 0.6,
    "digits/8": 0.6,
    "digits/9": 0.6,
    "vm-enter-num-to-call": 2.04,
    "vm-goodbye": 0.9,
    "beep": 0.3,
    "silence/1": 1.0,
    "queue-thankyou": 1.5,
    "queue-callswaiting": 1.2,
    "queue-holdtime": 1.3,
    "queue-minutes": 0.7,
    "queue-thereare": 1.0,
    "one-moment-please": 1.1,
    "please-try-again": 1.2,
    "auth-thankyou": 1.0,  # estimated (the lab has no "thank-you-for-calling": an extra sound)
    "im-sorry": 0.8,
    "transfer": 0.7,
    "conf-now-unmuted": 1.2,
    "agent-loggedoff": 1.0,
    "vm-Urgent": 0.7,
}

_SAY_PER_CHAR_S = 0.6
CORE_LANGUAGE = "en"  # the lab has Asterisk's core sounds in English only, as gsm


def _sound_languages(
    sound_id: str, prompt_languages: Iterable[str], absent: Collection[str] = ()
) -> tuple[str, ...]:
    if sound_id in SOUND_SECONDS:
        return (CORE_LANGUAGE,)
    if shipped().seconds(sound_id) is not None:
        return tuple(lang for lang in prompt_languages if f"{lang}/{sound_id}" not in absent)
    return ()


def language_search(language: str) -> tuple[str, ...]:
    """The language directories Asterisk tries for a sound, in order (main/file.c,
    ``fileexists_core``): the language asked for, then the same without each ``_`` dialect or
    style suffix (``zh_CN_female`` -> ``zh_CN`` -> ``zh``), then its default language ``en``.
    (Asterisk also tries ``sounds/<name>`` with no language directory before ``en``; the lab
    keeps every file in a language directory, so that step never finds anything here.)"""
    tried: list[str] = []
    current = language
    while current:
        tried.append(current)
        current, found, _ = current.rpartition("_")
        if not found:
            break
    if CORE_LANGUAGE not in tried:
        tried.append(CORE_LANGUAGE)
    return tuple(tried)


def resolve_sound(
    sound_id: str, language: str, prompt_languages: Iterable[str], absent: Collection[str] = ()
) -> str | None:
    """The language directory whose file plays ``sound_id`` for ``language``; None when the
    server has no file for it in any directory Asterisk tries (the playback then fails)."""
    languages = _sound_languages(sound_id, prompt_languages, absent)
    return next((lang for lang in language_search(language) if lang in languages), None)


def sound_seconds(
    sound_id: str, language: str, prompt_languages: Iterable[str], absent: Collection[str] = ()
) -> float | None:
    """How long a sound plays in ``language``; None when the server has no file for it.

    Asterisk looks in ``sounds/<language>/`` first, then in ``sounds/en/`` (its default
    language), so a sound missing in the caller's language still plays in English.
    """
    if resolve_sound(sound_id, language, prompt_languages, absent) is None:
        return None
    return SOUND_SECONDS.get(sound_id) or shipped().seconds(sound_id)


def resolve_media(
    uri: str,
    language: str = CORE_LANGUAGE,
    prompt_languages: Iterable[str] = (),
    absent: Collection[str] = (),
) -> tuple[float | None, str | None]:
    """How long one media URI plays (None: it cannot be played, the playback fails at once)
    and, for a ``sound:``, the language directory of the file that plays (None otherwise)."""
    scheme, _, rest = uri.partition(":")
    if scheme == "sound":
        resolved = resolve_sound(rest, language, prompt_languages, absent)
        if resolved is None:
            return None, None
        return SOUND_SECONDS.get(rest) or shipped().seconds(rest), resolved
    if scheme in ("digits", "number", "characters"):
        return max(_SAY_PER_CHAR_S, len(rest) * _SAY_PER_CHAR_S), None
    if scheme == "recording":
        return 1.0, None
    if scheme == "tone":
        return float("inf"), None  # tones never finish by themselves (gotcha 11)
    return None, None


def media_seconds(
    uri: str,
    language: str = CORE_LANGUAGE,
    prompt_languages: Iterable[str] = (),
    absent: Collection[str] = (),
) -> float | None:
    """How long one media URI plays; None = cannot be played (the playback fails at once)."""
    return resolve_media(uri, language, prompt_languages, absent)[0]


def _sound_json(sound_id: str, formats: list[Json]) -> Json:
    return {"id": sound_id, "formats": formats}


def sound_list(
    language: str | None,
    fmt: str | None,
    prompt_languages: Iterable[str] = (),
    absent: Collection[str] = (),
) -> list[Json]:
    """``GET /sounds``: every sound with its (language, format) files; ``lang`` and ``format``
    keep only the matching files, and a sound with none left is not listed (as Asterisk).
    ``absent``: "<lang>/<sound id>" files taken out of the installed set."""
    installed = tuple(prompt_languages)
    catalogue = [(sound, [(CORE_LANGUAGE, "gsm")]) for sound in SOUND_SECONDS]
    if installed:
        catalogue.extend(
            (
                sound,
                [
                    (lang, form)
                    for lang in installed
                    if f"{lang}/{sound}" not in absent
                    for form in FORMATS
                ],
            )
            for sound in shipped().sound_ids()
        )
    listed = []
    for sound, files in catalogue:
        formats = [
            {"language": lang, "format": form}
            for lang, form in files
            if language in (None, "", lang) and fmt in (None, "", form)
        ]
        if formats:
            listed.append(_sound_json(sound, formats))
    return listed


def asterisk_info(system_name: str, entity_id: str, version: str, startup: float) -> Json:
    stamp = format_timestamp(startup)
    return {
        "build": {
            "os": "Linux",
            "kernel": "emulated",
            "machine": "x86_64",
            "options": "OPTIONAL_API",
            "date": stamp[:10] + " " + stamp[11:19] + " UTC",
            "user": "root",
        },
        "system": {"version": version, "entity_id": entity_id},
        "config": {
            "name": system_name,
            "default_language": "en",
            "setid": {"user": "", "group": ""},
        },
        "status": {"startup_time": stamp, "last_reload_time": stamp},
    }


MODULES: dict[str, Json] = {
    "res_ari.so": {
        "name": "res_ari.so",
        "description": "Asterisk RESTful Interface",
        "use_count": 11,
        "status": "Running",
        "support_level": "core",
    },
    "res_stasis.so": {
        "name": "res_stasis.so",
        "description": "Stasis application support",
        "use_count": 15,
        "status": "Running",
        "support_level": "core",
    },
}

LOGGING: list[Json] = [
    {
        "channel": "/var/log/asterisk/messages",
        "type": "File",
        "status": "Enabled",
        "configuration": "NOTICE WARNING ERROR VERBOSE ",
    },
    {
        "channel": "",
        "type": "Console",
        "status": "Enabled",
        "configuration": "NOTICE WARNING ERROR VERBOSE ",
    },
]

_RESOURCES = [
    ("asterisk", "Asterisk resources"),
    ("endpoints", "Endpoint resources"),
    ("channels", "Channel resources"),
    ("bridges", "Bridge resources"),
    ("recordings", "Recording resources"),
    ("sounds", "Sound resources"),
    ("playbacks", "Playback control resources"),
    ("deviceStates", "Device state resources"),
    ("mailboxes", "Mailboxes resources"),
    ("events", "WebSocket resource"),
    ("applications", "Stasis application resources"),
]


def resource_listing(base_url: str) -> Json:
    """The Swagger 1.1 resource listing Asterisk serves at /ari/api-docs/resources.json."""
    return {
        "_copyright": "Copyright (C) 2012 - 2013, Digium, Inc.",
        "_author": "David M. Lee, II <dlee@digium.com>",
        "_svn_revision": "$Revision$",
        "apiVersion": "10.0.0",
        "swaggerVersion": "1.1",
        "basePath": f"{base_url}/ari",
        "apis": [
            {"path": f"/api-docs/{name}.{{format}}", "description": text}
            for name, text in _RESOURCES
        ],
    }
