"""Who may read the page: who shows ``server.view_token`` (never the ingest token: reading
and writing are apart); without a view token, anyone when the server listens on loopback
only. A token that is set is always asked for, on loopback too: a reverse proxy in front
of a loopback server makes it public.

The token comes as ``Authorization: Bearer TOKEN``, or once as ``?token=TOKEN``: that sets
an HttpOnly, SameSite=Strict cookie (a keyed digest of the token, not the token) and
redirects to the same URL without it, so the token stays out of history and logs.
Listening beyond loopback without a view token, the page answers 403: never open by
accident.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from aiohttp import web

COOKIE = "notifier_view"


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` reaches this machine only (127.0.0.0/8, ::1,
    localhost); ``0.0.0.0``, ``::`` and names are not."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Guard:
    """The decision for one server: its listen host and view token."""

    def __init__(self, host: str, token: str | None) -> None:
        self.open = is_loopback(host) and not token
        self._token = hashlib.sha256(token.encode()).digest() if token else None
        self._cookie = (
            hmac.new(self._token, b"notifier view cookie", hashlib.sha256).hexdigest()
            if self._token
            else None
        )

    def refuse(self, request: web.Request) -> web.StreamResponse | None:
        """The answer to a request that may not read the page, else ``None``."""
        if self.open:
            return None
        if self._token is None:
            return web.Response(
                status=403,
                text="the page is off: the server listens beyond loopback and "
                "server.view_token is not set\n",
            )
        given = request.query.get("token")
        if given is not None:
            if not self._matches(given):
                return _unauthorized()
            query = request.rel_url.query.copy()
            del query["token"]
            target = "/" + str(request.rel_url.with_query(query)).lstrip("/")  # never //host
            found = web.Response(status=303, headers={"Location": target})
            assert self._cookie is not None
            found.set_cookie(COOKIE, self._cookie, httponly=True, samesite="Strict", path="/")
            return found
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self._matches(value.strip()):
            return None
        cookie = request.cookies.get(COOKIE, "")
        if self._cookie and hmac.compare_digest(cookie.encode(), self._cookie.encode()):
            return None
        return _unauthorized()

    def _matches(self, given: str) -> bool:
        if not given or self._token is None:
            return False
        return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), self._token)


def _unauthorized() -> web.Response:
    return web.Response(
        status=401,
        text="this page needs the view token: open it with ?token=TOKEN once, or send "
        "'Authorization: Bearer TOKEN'\n",
        headers={"WWW-Authenticate": 'Bearer realm="notifier view"'},
    )
