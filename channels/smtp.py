"""Email over SMTP (type ``email``): one multipart/alternative message, text and HTML.

The module is ``smtp``, not ``email``: a ``channels/email.py`` would shadow the standard
library's ``email`` package whenever ``channels/`` itself lands on ``sys.path``.

Transport: aiosmtplib (asyncio; imported on first send). ``security``: ``starttls`` (port
587, STARTTLS required, never a silent plaintext fallback), ``tls`` (implicit TLS, 465) or
``none`` (25, plaintext). Certificates are verified; ``ca_file`` trusts a private CA.

Message: ``From``/``To`` (every recipient, one message), a UTF-8 ``Subject`` (RFC 2047 for
Chinese), ``Date``, ``Message-ID`` (kept across retries), ``Auto-Submitted: auto-generated``
(RFC 3834: no auto-replies). The text part reads as plain text; in the HTML part every digest
string is escaped and links go through ``safe_url``.

Size: a batch is one email unless its HTML part would pass ``split_bytes`` (100 kB): Gmail
clips a message whose HTML is over about 102 kB behind "[Message clipped]". Longer batches
become several emails, split between entries, "(1/2)" in the subject.

Replies (RFC 5321 section 4.2): 4xx (421 busy, 450/451 greylisting or local error, 452
storage) -> RETRY after 60 s; connection errors and timeouts -> RETRY; 5xx (535 bad login,
530/538 TLS required, 550/553 bad address, 554) -> FAILED with the code and text. TLS
failures (bad certificate, TLS on a plaintext port) -> FAILED: retrying will not fix them.
Recipients refused while others accepted -> SENT (the accepted copies are gone; a retry
would duplicate them) with ``code`` = the first refusal's reply code and every refused
address in ``detail``. All refused: RETRY if every refusal is 4xx, else FAILED.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, ClassVar

from channels.base import Channel, Entry, Message, Outcome, Part, Problem, Result, Setting
from channels.ratelimit import Window
from channels.render import cut, escape_html, pack, safe_url, utf8_len

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}  # RFC 8314, RFC 6409, RFC 5321
#: Gmail clips HTML bodies over ~102 kB; stay under it (see the module docstring).
SPLIT_BYTES = 100_000
#: An SMTP 4xx says "later", not "in a second" (greylisting waits minutes).
TEMPORARY_BACKOFF = 60.0
SUMMARY_LIMIT = 1000
TITLE_LIMIT = 500

_HTML_HEAD = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;'
    'font-size:15px;line-height:1.5;color:#222">\n'
)
_HTML_TAIL = "</body></html>\n"
_HTML_LIST = '<ol start="{start}" style="padding-left:22px">\n{items}\n</ol>\n'


def _line(text: str) -> str:
    return " ".join(text.split())


def _meta(entry: Entry) -> str:
    parts = [_line(p) for p in (entry.source, entry.rule) if p and p.strip()]
    if entry.score:
        parts.append(f"score {entry.score:g}")
    return " · ".join(parts)


def entry_html(entry: Entry) -> str:
    """Return one entry as an HTML list item; everything from the digest is escaped."""
    title = escape_html(cut(_line(entry.title), TITLE_LIMIT)) or "(untitled)"
    url = safe_url(entry.url)
    head = (
        f'<a href="{escape_html(url)}"><strong>{title}</strong></a>'
        if url
        else (f"<strong>{title}</strong>")
    )
    rows = [head]
    if entry.summary.strip():
        rows.append(escape_html(cut(_line(entry.summary), SUMMARY_LIMIT)))
    if meta := _meta(entry):
        rows.append(f'<span style="color:#777;font-size:13px">{escape_html(meta)}</span>')
    return '<li style="margin:0 0 14px">' + "<br>\n".join(rows) + "</li>"


def entry_text(entry: Entry, number: int) -> str:
    """Return one entry as numbered plain text."""
    lines = [f"{number}. {cut(_line(entry.title), TITLE_LIMIT) or '(untitled)'}"]
    if url := safe_url(entry.url):
        lines.append(f"   {url}")
    if entry.summary.strip():
        lines.append(f"   {cut(_line(entry.summary), SUMMARY_LIMIT)}")
    if meta := _meta(entry):
        lines.append(f"   {meta}")
    return "\n".join(lines)


class EmailChannel(Channel):
    """Send each batch as an email with a text and an HTML part."""

    type = "email"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("host", required=True, help="SMTP server host name"),
        Setting("port", int, help="default by security: 587 / 465 / 25"),
        Setting("security", default="starttls", choices=SECURITY),
        Setting("username", help="SMTP login (with password)"),
        Setting("password", secret=True, help="SMTP password"),
        Setting("sender", required=True, help="From address, e.g. 'News <bot@example.com>'"),
        Setting("recipients", list, required=True, help="To addresses (one or more)"),
        Setting("subject_prefix", help="put before every subject, e.g. '[AI news]'"),
        Setting("ca_file", help="PEM file of CAs to trust (self-signed server)"),
        Setting("split_bytes", int, default=SPLIT_BYTES, help="HTML size that splits a batch"),
        Setting("timeout", float, default=30.0, help="seconds per SMTP step"),
    )
    # SMTP sets no rate; providers throttle bursts (Gmail, Outlook: tens per minute). A
    # digest bot sends a few mails an hour: 20 a minute keeps any burst polite.
    windows: ClassVar[tuple[Window, ...]] = (Window(20, 60.0),)

    @classmethod
    def cross_check(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if "@" not in parseaddr(str(values["sender"]))[1]:
            problems.append(("sender", "setting 'sender' must be an email address"))
        recipients = values["recipients"] or []
        if not recipients:
            problems.append(("recipients", "setting 'recipients' needs at least one address"))
        for i, rcpt in enumerate(recipients):
            if not isinstance(rcpt, str) or "@" not in parseaddr(rcpt)[1]:
                problems.append(
                    ("recipients", f"setting 'recipients' item {i + 1} is not an email address")
                )
        if bool(values["username"]) != bool(values["password"]):
            given = "username" if values["username"] else "password"
            problems.append((given, "settings 'username' and 'password' go together"))
        if values["split_bytes"] < 10_000:
            problems.append(("split_bytes", "setting 'split_bytes' must be at least 10000"))
        return problems

    @classmethod
    def advice(cls, settings: Mapping[str, Any]) -> list[Problem]:
        if settings.get("security") == "none" and settings.get("password"):
            return [("security", "security: none sends the SMTP password in clear text")]
        return []

    @property
    def port(self) -> int:
        return self.options["port"] or DEFAULT_PORTS[self.options["security"]]

    # -- rendering ---------------------------------------------------------------------------

    def render(self, message: Message) -> list[Part]:
        entries = list(message.entries)
        if not entries and not message.text.strip():
            return []
        intro = self._intro_html(message)
        wrapper = _HTML_HEAD + intro + _HTML_LIST.format(start=len(entries), items="") + _HTML_TAIL
        room = self.options["split_bytes"] - utf8_len(wrapper)
        blocks = [entry_html(e) for e in entries]
        # An item over the room alone still goes whole: the limit is soft (clipping).
        groups = (
            pack(
                blocks,
                limit=room,
                separator="\n",
                measure=utf8_len,
                shorten=lambda block, _: block,
            )
            if blocks
            else [("", 0)]
        )
        parts: list[Part] = []
        start = 0
        for index, (_, count) in enumerate(groups):
            chunk = entries[start : start + count]
            email = self._email(message, chunk, start, index, len(groups))
            parts.append(Part(email, count))
            start += count
        return parts

    def _heading(self, message: Message) -> str:
        if message.title.strip():
            return _line(message.title)
        if len(message.entries) == 1:
            return _line(message.entries[0].title) or "(untitled)"
        return f"{len(message.entries)} new items"

    def _intro_html(self, message: Message) -> str:
        html = f'<h2 style="font-size:18px">{escape_html(self._heading(message))}</h2>\n'
        if message.text.strip():
            text = "<br>\n".join(escape_html(line) for line in message.text.strip().splitlines())
            html += f"<p>{text}</p>\n"
        return html

    def _email(
        self, message: Message, chunk: Sequence[Entry], first: int, index: int, total: int
    ) -> EmailMessage:
        heading = self._heading(message)
        counter = f" ({index + 1}/{total})" if total > 1 else ""
        prefix = _line(self.options["subject_prefix"] or "")
        subject = cut(heading, 200) + counter
        text = [heading + counter, ""]
        if message.text.strip():
            text += [message.text.strip(), ""]
        text += [entry_text(e, first + i + 1) + "\n" for i, e in enumerate(chunk)]
        items = "\n".join(entry_html(e) for e in chunk)
        ol = _HTML_LIST.format(start=first + 1, items=items) if chunk else ""
        html = _HTML_HEAD + self._intro_html(message) + ol + _HTML_TAIL

        email = EmailMessage()
        email["Subject"] = f"{prefix} {subject}" if prefix else subject
        email["From"] = _line(self.options["sender"])
        email["To"] = ", ".join(_line(r) for r in self.options["recipients"])
        email["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        email["Message-ID"] = make_msgid(domain=_domain(self.options["sender"]))
        email["Auto-Submitted"] = "auto-generated"
        email.set_content("\n".join(text).rstrip() + "\n")
        email.add_alternative(html, subtype="html")
        return email

    # -- delivery ----------------------------------------------------------------------------

    async def deliver(self, payload: Any) -> Result:
        import ssl

        import aiosmtplib

        recipients = [parseaddr(r)[1] for r in self.options["recipients"]]
        try:
            refused, reply = await self._transmit(payload, recipients)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return self._all_refused(exc.recipients)
        except aiosmtplib.SMTPResponseException as exc:
            return self._reply(exc.code, exc.message)
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as exc:
            return Result(Outcome.RETRY, self.name, code="timeout", detail=self._text(exc))
        except ssl.SSLError as exc:
            return Result(Outcome.FAILED, self.name, code="tls", detail=self._text(exc))
        except aiosmtplib.SMTPConnectError as exc:
            if "SSL" in str(exc):  # e.g. implicit TLS against a plaintext port
                return Result(Outcome.FAILED, self.name, code="tls", detail=self._text(exc))
            return Result(Outcome.RETRY, self.name, code="connection", detail=self._text(exc))
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            return Result(Outcome.RETRY, self.name, code="connection", detail=self._text(exc))
        except aiosmtplib.SMTPException as exc:  # AUTH or STARTTLS not offered, ...
            return Result(Outcome.FAILED, self.name, code="smtp", detail=self._text(exc))
        if refused:
            first = next(iter(refused.values()))
            listed = "; ".join(f"{a}: {r.code} {r.message}" for a, r in refused.items())
            return Result(
                Outcome.SENT,
                self.name,
                code=str(first.code),
                detail=self._scrub(
                    f"accepted by {len(recipients) - len(refused)} of {len(recipients)}; "
                    f"refused {listed}"
                ),
            )
        return Result(Outcome.SENT, self.name, detail=self._scrub(reply))

    async def _transmit(
        self, payload: EmailMessage, recipients: list[str]
    ) -> tuple[dict[str, Any], str]:
        """Connect, (STARTTLS), log in, send, quit; return (refused recipients, reply)."""
        import aiosmtplib

        security = self.options["security"]
        client = aiosmtplib.SMTP(
            hostname=self.options["host"],
            port=self.port,
            use_tls=security == "tls",
            start_tls=security == "starttls",  # True: STARTTLS or fail, never plaintext
            cert_bundle=self.options["ca_file"] or None,
            timeout=self.options["timeout"],
        )
        protocol = None
        try:
            await client.connect()
            protocol = client.protocol
            if self.options["username"]:
                await client.login(self.options["username"], self.options["password"])
            sender = parseaddr(self.options["sender"])[1]
            result = await client.send_message(payload, sender=sender, recipients=recipients)
            with contextlib.suppress(aiosmtplib.SMTPException):
                await client.quit()  # the mail is accepted: a failed QUIT changes nothing
            return result
        finally:
            client.close()
            await _closed(protocol)

    def _reply(self, code: int, text: str) -> Result:
        outcome = Outcome.RETRY if 400 <= code < 500 else Outcome.FAILED
        wait = TEMPORARY_BACKOFF if outcome is Outcome.RETRY else None
        detail = self._scrub(f"{code} {text}")
        return Result(outcome, self.name, code=str(code), detail=detail, retry_after=wait)

    def _all_refused(self, refusals: Sequence[Any]) -> Result:
        temporary = all(400 <= r.code < 500 for r in refusals)
        first = refusals[0]
        listed = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refusals)
        return Result(
            Outcome.RETRY if temporary else Outcome.FAILED,
            self.name,
            code=str(first.code),
            detail=self._scrub(f"every recipient refused: {listed}"),
            retry_after=TEMPORARY_BACKOFF if temporary else None,
        )

    def _text(self, exc: BaseException) -> str:
        return self._scrub(f"{type(exc).__name__}: {exc}")

    def _scrub(self, text: str) -> str:
        password = self.options["password"]
        if password and len(password) >= 3:
            text = text.replace(password, "***")
        return cut(text, 500)


async def _closed(protocol: Any) -> None:
    """Wait (up to 1 s) for the connection to close: a TLS close takes a round trip, and
    the socket must not outlive an event loop that ends right after the send."""
    import asyncio

    for _ in range(100):
        if protocol is None or getattr(protocol, "transport", None) is None:
            return
        await asyncio.sleep(0.01)


def _domain(sender: str) -> str | None:
    address = parseaddr(sender)[1]
    try:
        return Address(addr_spec=address).domain or None
    except (ValueError, IndexError):
        return address.rpartition("@")[2] or None
