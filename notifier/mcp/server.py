"""The MCP server: the tools, their input bounds, and errors as one-line tool errors.

Each tool answers with a short summary and the data as JSON in its text (what every
client shows the model) and the same data as structured content. Anything that would show
a secret is masked (:mod:`notifier.views.secrets`); an error never carries a traceback, and
the server keeps serving after it.
"""

import json
import logging
from collections.abc import Awaitable, Sequence
from typing import Annotated, Any, Literal

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import CallToolResult, ContentBlock, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from notifier.errors import NotifierError
from notifier.mcp import reading, writing
from notifier.mcp.state import ServerState, ToolFailure
from notifier.views.secrets import scrub, scrub_text

log = logging.getLogger("notifier.mcp")

#: The longest error message sent to a client.
MAX_ERROR = 400
INSTRUCTIONS = (
    "notifier reads AI/tech news digests, matches their stories with keyword rules and "
    "pushes the matches to chat targets. Rule expressions: words or quoted phrases (any of "
    "them), +required, !excluded, /regex/, term^2 for weight; e.g. 'OpenAI +GPT !广告'. "
    "Story ids come from search_stories and hot_topics; explain(story_id, rule) shows why."
)
READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
WRITE = ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)

Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="a rule expression, e.g. 'OpenAI +GPT-5 !广告' or '英伟达 芯片'",
    ),
]
Rule = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4000,
        description="a rule expression ('OpenAI +GPT !广告') or one rule in YAML "
        "(name: x / any: [...] / all: [...] / none: [...] / min_score: ...)",
    ),
]
Days = Annotated[int, Field(ge=1, le=90, description="days back, today included (1..90)")]
Limit = Annotated[int, Field(ge=1, le=200, description="at most this many (1..200)")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
DeliveryId = Annotated[int, Field(ge=1, le=2**63 - 1)]
DeliveryState = Annotated[
    Literal["queued", "sending", "sent", "dead", "summarised", "dropped", "failed"],
    Field(description="a delivery state; failed: queued again after a failure"),
]


class Server(FastMCP):
    """FastMCP whose tool errors are one clean line, secrets masked."""

    def __init__(self, state: ServerState, **settings: Any) -> None:
        super().__init__("notifier", instructions=INSTRUCTIONS, log_level="WARNING", **settings)
        self.state = state

    async def call_tool(
        self, name: str, arguments: dict[str, Any]
    ) -> Sequence[ContentBlock] | dict[str, Any]:
        try:
            return await super().call_tool(name, arguments)
        except ToolError as exc:
            raise ToolError(self._message(name, exc)) from None

    def _message(self, name: str, exc: ToolError) -> str:
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            first = cause.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "arguments"
            text = f"{name}: {where}: {first.get('msg', 'invalid')}"
        elif isinstance(cause, ToolFailure | NotifierError | ValueError):
            text = f"{name}: {cause}"
        elif cause is not None:
            log.error("tool %s failed", name, exc_info=cause)
            text = f"{name} failed: {type(cause).__name__} (the server's log has the details)"
        else:
            text = str(exc)
        text = scrub_text(" ".join(text.split()), self.state.secrets)
        return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def build(shared: ServerState, **settings: Any) -> Server:
    """The server with every tool registered (writing ones refuse without --allow-write)."""
    server = Server(shared, **settings)

    async def answer(work: Awaitable[tuple[str, dict[str, Any]]]) -> CallToolResult:
        summary, data = await work
        data = scrub(data, shared.secrets)
        text = scrub_text(summary, shared.secrets) + "\n" + json.dumps(data, ensure_ascii=False)
        content = [TextContent(type="text", text=text)]
        return CallToolResult(content=content, structuredContent=data)

    @server.tool(annotations=READ)
    async def search_stories(
        query: Query, days: Days = 1, source: Name | None = None, limit: Limit = 20
    ) -> CallToolResult:
        """Stored stories of the last `days` days whose text matches the rule expression
        `query` (the engine of `notifier test-rule --expr`), best first: id, title, link,
        date, heat (how many sources reported it), score and the matched terms."""
        return await answer(reading.search_stories(shared, query, days, source, limit))

    @server.tool(annotations=READ)
    async def hot_topics(
        date: Annotated[str | None, Field(max_length=32, description="YYYY-MM-DD")] = None,
        limit: Limit = 20,
    ) -> CallToolResult:
        """One day's stories (default today) grouped by the config's rules, as the web page
        shows them: per rule the best `limit` stories with score, heat, matched terms and
        where each was delivered; stories matching no rule under `other`."""
        return await answer(reading.hot_topics(shared, date, limit))

    @server.tool(annotations=READ)
    async def test_rule(rule: Rule, days: Days = 7, limit: Limit = 50) -> CallToolResult:
        """What a rule (an expression or one rule in YAML) would have caught in the last
        `days` days, best first, each with the hits and the score computation, as
        `notifier test-rule --json --explain` says. Nothing is saved."""
        return await answer(reading.test_rule(shared, rule, days, limit))

    @server.tool(annotations=READ)
    async def explain(
        story_id: Annotated[int, Field(ge=1, description="a story id (search_stories)")],
        rule: Rule,
    ) -> CallToolResult:
        """How a rule (a rule name of the config, or an expression) judges one stored
        story: matched or why not, every hit (term, field, span) and the score
        computation."""
        return await answer(reading.explain(shared, story_id, rule))

    @server.tool(annotations=READ)
    async def deliveries(
        target: Name | None = None,
        state: DeliveryState | None = None,
        limit: Limit = 50,
    ) -> CallToolResult:
        """Deliveries, newest first, as `notifier deliveries --json` lists them: target
        name, state, story title and link, rules, score, attempts, times, last error.
        Subscribers' chats are named `subscriber`."""
        return await answer(reading.deliveries(shared, target, state, limit))

    @server.tool(annotations=READ)
    async def status() -> CallToolResult:
        """What `notifier status --json` shows: targets (names) with their queue counts
        and last errors, the queue, sources, workers, subscribers."""
        return await answer(reading.status(shared))

    @server.tool(annotations=READ)
    async def check_config() -> CallToolResult:
        """`notifier check`: every problem and warning of the config as
        `file:line: message`."""
        return await answer(reading.check_config(shared))

    @server.tool(annotations=WRITE)
    async def add_rule(rule: Rule) -> CallToolResult:
        """Add one rule (YAML: name: x / any: [...] ...) to the rules file; refused unless
        the file still checks as `notifier check` does. Comments are kept. Needs the
        server started with --allow-write."""
        return await answer(writing.add_rule(shared, rule))

    @server.tool(annotations=WRITE)
    async def remove_rule(name: Name) -> CallToolResult:
        """Remove the rule called `name` from the rules file (the rest kept as written).
        Needs --allow-write."""
        return await answer(writing.remove_rule(shared, name))

    @server.tool(annotations=WRITE)
    async def retry(
        ids: Annotated[list[DeliveryId], Field(min_length=1, max_length=writing.MAX_RETRY)],
    ) -> CallToolResult:
        """Queue dead deliveries again by id (`notifier retry ID...`). Needs
        --allow-write."""
        return await answer(writing.retry(shared, ids))

    return server
