"""The API's names of the previous release, and what they are now (CHANGELOG.md, *Renamed*).

No alias is kept: an old name is refused as before (a 404 for a path, a 400 for a query parameter),
but the refusal says the new name, so a script written for 0.1 is fixed from its error message."""

from __future__ import annotations

import re
from collections.abc import Collection

#: old path pattern → new path (all POST); ``{ref}`` stands for the Referentienummer
_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/api/berichten/(?P<ref>[0-9a-fA-F-]{1,36})/opnieuw"), "/api/berichten/{ref}/resend"),
    (re.compile(r"/api/ophalen"), "/api/fetch"),
    (re.compile(r"/api/wachtrij/nu"), "/api/queue/retry-now"),
)

#: old query parameter → (its new name, the sentence: with the values where they changed too)
PARAMETERS: dict[str, tuple[str, str]] = {
    "richting": ("direction", "richting=uit|in is now direction=out|in"),
    "vanaf": ("from", "vanaf is now from"),
    "tot": ("until", "tot is now until"),
}


def unknown_path(method: str, path: str) -> str:
    """What a 404 for a path no route takes says: the new path of a renamed one, else where the paths
    are listed."""
    for pattern, new in _PATHS:
        found = pattern.fullmatch(path)
        if found is not None:
            return f"{path} was renamed: use POST {new.format(**found.groupdict())} (CHANGELOG.md)"
    return f"no such API path: {method} {path[:200]}; GET /api/openapi.json lists them"


def parameter_hint(names: list[str], allowed: Collection[str]) -> str:
    """'' or '; renamed (CHANGELOG.md): richting=uit|in is now …' for the old names among ``names``
    whose new name this route takes."""
    renamed = [PARAMETERS[name][1] for name in names if name in PARAMETERS and PARAMETERS[name][0] in allowed]
    return f"; renamed (CHANGELOG.md): {', '.join(renamed)}" if renamed else ""
