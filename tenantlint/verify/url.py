"""The `--database-url` of `verify`: parsed once, and never echoed with its credentials."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tenantlint.verify.results import VerifyError

_UNPARSABLE = ("--database-url: could not parse the database URL (percent-encode `@`, `:` and `/` in the "
               "user name and password, e.g. `%40` for `@`)")


def first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0]


def database_url_parts(raw: str):
    """The parsed URL, and a function giving an error's first line with every part of the URL's
    userinfo masked. A URL whose userinfo may have been split in the wrong place (an unescaped `@`
    in the password ends up in the host or the database name) is refused: no part of the URL is
    ever echoed from a parse that cannot be trusted."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(raw)
    except Exception:  # noqa: BLE001 - its message may quote the URL, password included
        raise VerifyError(_UNPARSABLE) from None
    rest = [url.host, url.database, *(v for value in url.query.values() for v in _values(value))]
    if any("@" in part for part in rest if part):
        raise VerifyError(_UNPARSABLE)
    # the widest reading of the userinfo, from the raw text, and how SQLAlchemy split it
    start = raw.find("://") + 3
    userinfo = raw[start : raw.rfind("@")] if "@" in raw[start:] else ""
    secrets = {userinfo, unquote(userinfo), url.username or "", url.password or "", _query_password(url)}
    # as a whole word only: a user name `er` must not turn `server` into `s***v***`
    pattern = "|".join(re.escape(p) for p in sorted(filter(None, secrets), key=len, reverse=True))
    secret = re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])") if pattern else None

    def scrub(exc: BaseException) -> str:
        text = first_line(exc)
        return secret.sub("***", text) if secret else text

    return url, scrub


def _values(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _query_password(url) -> str:
    """A password given as a query parameter (`?password=...`, which libpq accepts)."""
    value = url.query.get("password", "")
    return value if isinstance(value, str) else ""


def masked(url) -> str:
    """The URL for an error message: `***` for the user name and password, no query (it may hold either)."""
    from sqlalchemy.engine import URL

    shown = URL.create(url.drivername, host=url.host, port=url.port, database=url.database).render_as_string()
    if url.username is None and url.password is None:
        return shown
    scheme, rest = shown.split("://", 1)
    return f"{scheme}://***@{rest}"
