"""`notifier send-test` takes a slot in the store's shared rate limits, as a worker does.

A DingTalk robot takes 20 messages a minute and locks itself for 10 minutes at the 21st
(the fake does too). Workers fill the window through the real dispatch path; send-test
must then not be the 21st, and a send-test that goes out must count for the workers.
The command runs ``asyncio.run`` itself, so it runs in a thread here.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from notifier.cli import main
from notifier.config import Config, load_config
from notifier.delivery.shared_limits import SharedLimits, limits_for
from notifier.pipeline.dispatch import Dispatcher
from notifier.pipeline.targets import ConfigTargets, Targets
from notifier.store import Limit, NewDelivery, NewStory, State, Store
from tests.fakes.dingtalk import FakeDingTalk, Robot
from tests.fakes.server import serve

TOKEN = "dt-SECRET-limits-token-0123"


@pytest.fixture
async def robot() -> AsyncIterator[tuple[FakeDingTalk, Robot, str]]:
    fake = FakeDingTalk(rate=20, per=60.0)  # real clock: the robot's own window
    robot = fake.add_robot(TOKEN)
    async with serve(fake.app) as url:
        yield fake, robot, f"{url}/robot/send?access_token={TOKEN}"
    fake.release()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, robot: tuple[Any, Any, str]) -> str:
    monkeypatch.setenv("DING_HOOK", robot[2])
    monkeypatch.delenv("NOTIFIER_STORE", raising=False)
    path = tmp_path / "rules.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            channels:
              team: {type: dingtalk, webhook: "${DING_HOOK}", timeout: 2,
                     delivery: {max_items: 1}}
            rules:
              - {name: ai, any: [AI]}
            """
        ),
        encoding="utf-8",
    )
    return str(path)


async def dispatch(store: Store, config: Config, count: int, tag: str = "") -> None:
    """Queue ``count`` single-story messages to ``team`` and let a worker send them."""
    now = time.time()
    stories = [
        NewStory(f"s{tag}{i}", (f"s{tag}{i}",), f"AI news {i}", None, "src", {})
        for i in range(count)
    ]
    queued = [NewDelivery(s.id, "team", ("ai",), 1.0, now, {"title": s.title}) for s in stories]
    await store.commit_digest(f"h{tag}", "a.md", stories, [], queued, now)
    targets = Targets([ConfigTargets(config.channels, config.delivery)])
    try:
        await Dispatcher(store, targets).drain()
    finally:
        await targets.aclose()


async def send_test(*args: str) -> int:
    return await asyncio.to_thread(main, ["send-test", *args])


async def test_a_full_window_is_not_exceeded_by_send_test(
    store: Store,
    config: str,
    robot: tuple[FakeDingTalk, Robot, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """20 messages went out through the workers: send-test sends nothing, says when the
    window frees up in one line, exits 1; the robot never sees a 21st."""
    fake, bot, _ = robot
    await dispatch(store, load_config(config), 20)
    assert len(bot.sent) == 20
    capsys.readouterr()
    assert await send_test("team", "--text", "AI hello", "-c", config, "--store", store.url) == 1
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("team: not sent: ")
    assert "frees up in " in line
    assert "--wait" in line
    assert "SECRET" not in line
    assert len(fake.requests) == 20  # never a 21st request
    assert (len(bot.sent), bot.bans) == (20, 0)

    assert await send_test("team", "-c", config, "--store", store.url, "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert (result["outcome"], result["sent_parts"]) == ("retry", 0)
    assert result["retry_after"] > 10
    assert len(fake.requests) == 20


async def test_a_send_test_counts_for_the_workers(
    store: Store,
    config: str,
    robot: tuple[FakeDingTalk, Robot, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """19 sent by a worker, send-test is the 20th: the next delivery waits in the queue."""
    fake, bot, _ = robot
    loaded = load_config(config)
    await dispatch(store, loaded, 19)
    assert await send_test("team", "--text", "AI hello", "-c", config, "--store", store.url) == 0
    assert "outcome:  sent" in capsys.readouterr().out
    assert len(bot.sent) == 20
    await dispatch(store, loaded, 1, tag="late")
    assert (len(fake.requests), len(bot.sent), bot.bans) == (20, 20, 0)
    counts = await store.counts()
    assert counts[("team", State.QUEUED)] == 1  # due when the window frees up


async def fill(store: Store, config: str, frees_in: float) -> None:
    """Record 20 slots under team's shared limits, the oldest leaving the window (60 s +
    the 2 s timeout) in ``frees_in`` seconds."""
    limits = window_limits(load_config(config))
    now = time.time()
    assert await store.take_slot(limits, now - 62.0 + frees_in) == 0
    for _ in range(19):
        assert await store.take_slot(limits, now - 10.0) == 0


async def test_a_short_wait_is_waited_out_and_said_on_stderr(
    store: Store,
    config: str,
    robot: tuple[FakeDingTalk, Robot, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The window frees up in about a second: send-test waits, says so, then sends."""
    _, bot, _ = robot
    await fill(store, config, frees_in=1.0)
    assert await send_test("team", "--text", "AI hi", "-c", config, "--store", store.url) == 0
    out, err = capsys.readouterr()
    assert "outcome:  sent" in out
    assert err.startswith("team: the shared rate limit is full; waiting ")
    assert len(bot.sent) == 1
    assert await SharedLimits(store).wait(window_limits(load_config(config))) > 30


async def test_a_long_wait_is_refused_unless_asked_to_wait(
    store: Store,
    config: str,
    robot: tuple[FakeDingTalk, Robot, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the short wait send-test refuses; with --wait it waits as long as it takes."""
    _, bot, _ = robot
    monkeypatch.setattr("notifier.commands.send_test.SHORT_WAIT", 0.5)
    await fill(store, config, frees_in=2.5)
    args = ("team", "--text", "AI hi", "-c", config, "--store", store.url)
    assert await send_test(*args) == 1
    assert "frees up in" in capsys.readouterr().err
    assert bot.sent == []
    assert await send_test(*args, "--wait") == 0
    assert "outcome:  sent" in capsys.readouterr().out
    assert len(bot.sent) == 1


def window_limits(config: Config) -> tuple[Limit, ...]:
    """The shared limits a worker's send to ``team`` falls under."""
    from channels import channel_class

    spec = config.channels["team"]
    channel = channel_class(spec.type)(spec.name, spec.settings)
    return limits_for("team", channel, config.policy("team"))
