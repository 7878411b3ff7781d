"""The channel path: how fast one process sends, and how close bursts come to the rate limits.

    python bench/fanout.py            # the figures the README quotes (about three minutes)
    python bench/fanout.py --quick    # small and fast (the smoke test runs this)

1. Throughput, the CPU ceiling of the sending path. The WeCom, DingTalk, ntfy and Telegram
   fakes of ``tests/fakes`` run in a separate process with their limits lifted
   (``bench/_fakes.py``); this process only sends. ``--targets`` channel instances of one
   type each get an unlimited rate limiter (``RateLimiter(())``: acquired, never waits) and
   send their share of ``--messages`` messages one after another (a channel serialises its
   own sends), so that many requests are in flight. A message is ``--entries`` matched
   entries (CJK and English, links, tags) and renders to one request. Timed: ``send`` =
   render + rate limiter + JSON + HTTP over loopback + classifying the answer (DingTalk also
   signs each request; Telegram goes through aiogram on aiohttp).
   Baselines, same run: ``--targets`` bare ``httpx.AsyncClient``s (the client of every
   adapter but Telegram) POST the very bodies those messages render to (pre-rendered and
   pre-encoded, DingTalk URLs signed once) to the same fake, checking only the status; the
   same with bare ``aiohttp.ClientSession``s (aiogram's client). Best of ``--rounds``
   rounds of each, alternating. After every round the fakes' counters must show every
   message accepted.
   Columns: msgs/s (wall clock); CPU µs per message of this process
   (``time.process_time``), and of ``render`` alone (no I/O); how busy this process and
   the server process were (CPU time / wall time: near 100 % for this process means it,
   not the server, set the pace; near 100 % for the server means the figure is the fake's
   ceiling, not the sender's).
   httpx's speed depends on whether ``sniffio`` is importable: httpcore imports it on every
   lock setup and, when it is missing (anyio >= 4.11 no longer installs it), pays a failed
   import each time (encode/httpcore#1103). The machine line says which case was measured.

2. A burst on a simulated clock. ``--matches`` matches (default 1,000) go to ``--robots``
   DingTalk or WeCom robots (default 50), each limited by the service to 20 messages a
   minute; the robots are the fakes, in this process, on a :class:`_fakes.SimClock` shared
   with the channels' rate limiters (time jumps when every target waits; HTTP takes no
   simulated time), so hours of waiting run in seconds. The matches are split evenly (20
   each) or Zipf-like (target *r* gets a share ∝ 1/r), and sent one message per match or
   batched as the channel would (each target's matches in one message, which ``render``
   splits at the service's size limit). The makespan is the simulated time of the last
   delivery. The ideal is the last send under the service's own window: the *k*-th request
   of a target (from 0) at ``(k // 20) * 60`` s, the requests counted from ``render``; the
   adapters widen each window by their request timeout (10 s) to absorb network delay, so
   the limiter's own ideal is shown too. The fakes count, per robot, the most requests in any
   60 s and the ones they refused for the rate (DingTalk locks a robot for 10 min after its
   21st message in a minute): any excess fails the run (exit status 1).

Not measured: real networks (TLS, latency); Feishu, email and Apprise; the delivery
pipeline and outbox (not written yet); uvloop (the default asyncio loop is used).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.metadata
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fakes import (
    Fleet,
    SimClock,
    dingtalk_secret,
    dingtalk_token,
    start_fleet,
    wecom_key,
)

from channels import channel_class
from channels.base import Channel, Entry, Message, Outcome, Part
from channels.ratelimit import RateLimiter, Window
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.server import serve
from tests.fakes.telegram import DEFAULT_TOKEN
from tests.fakes.wecom import FakeWeCom

THROUGHPUT_KINDS = ("wecom", "dingtalk", "ntfy", "telegram")
BURST_KINDS = ("dingtalk", "wecom")
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# -- the workload ----------------------------------------------------------------------------

_SAMPLES = (
    Entry(
        "OpenAI 发布 GPT-5.1：更快的推理与更低的价格",
        url="https://openai.com/index/gpt-5-1/",
        summary="新模型在编码与数学基准上提升明显，API 价格下调三成，"
        "上下文窗口扩展到 40 万 token。",
        source="36氪",
        rule="大模型",
        score=8.5,
        tags=("模型", "OpenAI"),
    ),
    Entry(
        "Anthropic ships Claude tools for Excel and PowerPoint",
        url="https://www.anthropic.com/news/claude-for-excel",
        summary="Agents can now edit spreadsheets and decks in place, with a full audit trail of "
        "every cell they touched.",
        source="Hacker News",
        rule="agents",
        score=6.0,
        tags=("agents",),
    ),
    Entry(
        "英伟达 Blackwell Ultra 芯片量产，台积电 CoWoS 产能再扩",
        url="https://www.example.com/news/nvidia-blackwell-ultra",
        summary="供应链消息称 2026 年 CoWoS 月产能将达 9 万片，主要客户仍是英伟达与 AMD。",
        source="机器之心",
        rule="芯片",
        score=7.0,
        tags=("芯片", "英伟达"),
    ),
    Entry(
        "DeepSeek open-sources a 236B MoE model under MIT licence",
        url="https://github.com/deepseek-ai/example",
        summary="Weights, training recipe and an inference kernel for Hopper GPUs; 21B "
        "parameters active per token.",
        source="GitHub Trending",
        rule="open models",
        score=9.0,
        tags=("open-source", "MoE"),
    ),
    Entry(
        "阿里通义千问 Qwen3-Coder 登顶 SWE-bench 开源榜",
        url="https://qwenlm.github.io/blog/qwen3-coder/",
        summary="480B 参数的 MoE 代码模型，支持 256K 上下文，配套命令行工具同步开源。",
        source="量子位",
        rule="代码模型",
        score=5.5,
        tags=("Qwen",),
    ),
)


def make_entries(n: int) -> list[Entry]:
    """``n`` distinct entries cycling through the samples (so nothing renders from cache)."""
    entries = []
    for i in range(n):
        base = _SAMPLES[i % len(_SAMPLES)]
        entries.append(
            dataclasses.replace(base, title=f"{base.title} #{i}", url=f"{base.url}?n={i}")
        )
    return entries


def make_messages(n: int, entries_per_message: int) -> list[Message]:
    entries = make_entries(n * entries_per_message)
    return [
        Message(tuple(entries[i : i + entries_per_message]), title="AI 早报 · daily digest")
        for i in range(0, len(entries), entries_per_message)
    ]


# -- channels and their bare-HTTP equivalents ------------------------------------------------

_SETTINGS: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "wecom": lambda url, i: {"webhook": f"{url}/cgi-bin/webhook/send?key={wecom_key(i)}"},
    "dingtalk": lambda url, i: {
        "webhook": f"{url}/robot/send?access_token={dingtalk_token(i)}",
        "secret": dingtalk_secret(i),
    },
    "ntfy": lambda url, i: {"server": url, "topic": f"bench_{i}"},
    "telegram": lambda url, i: {
        "token": DEFAULT_TOKEN,
        "chat_id": str(100_000 + i),
        "api_server": url,
    },
}


def make_channel(kind: str, url: str, i: int, **kwargs: Any) -> Channel:
    """Target ``i`` of type ``kind`` on the fake at ``url``, resolved like the config does."""
    return channel_class(kind)(f"{kind}-{i}", _SETTINGS[kind](url, i), **kwargs)


def unlimited(channel: Channel) -> Channel:
    """Lift the channel's rate limits: its limiter still runs, but never waits."""
    channel.limiter = RateLimiter(())
    return channel


def compact(payload: Any) -> bytes:
    """JSON as the adapters encode it: compact, UTF-8, no ``\\u`` escapes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


RawRequest = tuple[Any, bytes, dict[str, str]]  # url, body, headers


def raw_request(kind: str, channel: Channel, part: Part) -> RawRequest:
    """The request the adapter makes for ``part``, prepared in advance (no per-request work)."""
    options = channel.options
    if kind == "wecom":
        return options["webhook"], compact(part.payload), JSON_HEADERS
    if kind == "dingtalk":
        return channel.signed_url(), compact(part.payload), JSON_HEADERS  # type: ignore[attr-defined]
    if kind == "ntfy":
        return options["server"].rstrip("/") + "/", compact(part.payload), JSON_HEADERS
    url = f"{options['api_server']}/bot{options['token']}/sendMessage"
    body = {
        "chat_id": channel.chat_id,  # type: ignore[attr-defined]
        "text": part.payload,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    return url, compact(body), JSON_HEADERS


# -- 1. throughput ---------------------------------------------------------------------------


@dataclasses.dataclass
class Round:
    """One timed round: wall and CPU seconds of this process and of the server process."""

    count: int
    wall: float
    cpu: float
    server_cpu: float | None

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.count * 1e6

    @property
    def busy(self) -> float:
        return self.cpu / self.wall

    @property
    def server_busy(self) -> float | None:
        return None if self.server_cpu is None else self.server_cpu / self.wall


async def _timed(fleet: Fleet, kind: str, count: int, work: Sequence[Any]) -> Round:
    """Run the coroutines ``work`` together; check the fake accepted ``count`` messages."""
    fleet.take()  # forget the warm-up
    server0, cpu0, t0 = fleet.cpu_seconds(), time.process_time(), time.perf_counter()
    await asyncio.gather(*work)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server1 = fleet.cpu_seconds()
    server = None if server0 is None or server1 is None else server1 - server0
    accepted = fleet.take()[kind]
    if accepted != count:
        raise RuntimeError(f"{kind}: the fake accepted {accepted} of {count} messages")
    return Round(count, wall, cpu, server)


async def adapter_round(
    fleet: Fleet, kind: str, targets: int, messages: Sequence[Message]
) -> Round:
    """``targets`` channels send ``messages`` (round-robin shares), each serially."""
    url = fleet.urls[kind]
    channels = [unlimited(make_channel(kind, url, i)) for i in range(targets)]

    async def sender(channel: Channel, share: Sequence[Message]) -> None:
        for message in share:
            result = await channel.send(message)
            if result.outcome is not Outcome.SENT:
                raise RuntimeError(f"{channel.name}: {result}")

    try:
        warm = make_messages(2, 1)  # connect, import aiogram, fill caches
        await asyncio.gather(*(sender(c, warm) for c in channels))
        work = [sender(c, messages[i::targets]) for i, c in enumerate(channels)]
        return await _timed(fleet, kind, len(messages), work)
    finally:
        await asyncio.gather(*(c.aclose() for c in channels))


def raw_requests(
    fleet: Fleet, kind: str, targets: int, messages: Sequence[Message]
) -> list[list[RawRequest]]:
    """Per target, the requests its share of ``messages`` renders to (one each)."""
    url = fleet.urls[kind]
    requests: list[list[RawRequest]] = []
    for i in range(targets):
        channel = make_channel(kind, url, i)
        parts = [part for m in messages[i::targets] for part in channel.render(m)]
        requests.append([raw_request(kind, channel, part) for part in parts])
    if sum(map(len, requests)) != len(messages):
        raise RuntimeError(f"{kind}: a benchmark message renders to more than one request")
    return requests


async def httpx_round(fleet: Fleet, kind: str, targets: int, messages: Sequence[Message]) -> Round:
    """``targets`` bare httpx clients POST the pre-encoded bodies of the same messages."""
    import httpx

    requests = raw_requests(fleet, kind, targets, messages)
    clients = [httpx.AsyncClient() for _ in range(targets)]

    async def poster(client: httpx.AsyncClient, todo: Sequence[RawRequest]) -> None:
        for address, body, headers in todo:
            response = await client.post(address, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{kind}: HTTP {response.status_code} {response.text}")

    try:
        await asyncio.gather(*(poster(c, r[:2]) for c, r in zip(clients, requests, strict=True)))
        work = [poster(c, r) for c, r in zip(clients, requests, strict=True)]
        return await _timed(fleet, kind, len(messages), work)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def aiohttp_round(
    fleet: Fleet, kind: str, targets: int, messages: Sequence[Message]
) -> Round:
    """The same with bare aiohttp sessions (the client aiogram, so the Telegram adapter, uses)."""
    import aiohttp
    import yarl

    requests = [
        [(yarl.URL(str(address), encoded=True), body, headers) for address, body, headers in todo]
        for todo in raw_requests(fleet, kind, targets, messages)
    ]
    sessions = [aiohttp.ClientSession() for _ in range(targets)]

    async def poster(session: aiohttp.ClientSession, todo: Sequence[RawRequest]) -> None:
        for address, body, headers in todo:
            async with session.post(address, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{kind}: HTTP {response.status}")

    try:
        await asyncio.gather(*(poster(s, r[:2]) for s, r in zip(sessions, requests, strict=True)))
        work = [poster(s, r) for s, r in zip(sessions, requests, strict=True)]
        return await _timed(fleet, kind, len(messages), work)
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


def render_cpu_us(fleet: Fleet, kind: str, messages: Sequence[Message]) -> float:
    """CPU µs per message of ``render`` alone (no I/O), on the same messages."""
    channel = make_channel(kind, fleet.urls[kind], 0)
    start = time.process_time()
    for message in messages:
        channel.render(message)
    return (time.process_time() - start) / len(messages) * 1e6


@dataclasses.dataclass
class ThroughputRow:
    kind: str
    adapter: Round
    httpx: Round
    aiohttp: Round
    render_us: float


async def throughput(
    fleet: Fleet, kinds: Sequence[str], targets: int, count: int, entries: int, rounds: int
) -> list[ThroughputRow]:
    """Best of ``rounds`` (highest msgs/s) for the adapter and the bare loops, alternating."""
    runs = {"httpx": httpx_round, "aiohttp": aiohttp_round, "adapter": adapter_round}
    rows = []
    for kind in kinds:
        best: dict[str, Round] = {}
        for _ in range(rounds):
            for name, run in runs.items():
                result = await run(fleet, kind, targets, make_messages(count, entries))
                if name not in best or result.rate > best[name].rate:
                    best[name] = result
        render_us = min(
            render_cpu_us(fleet, kind, make_messages(count, entries)) for _ in range(rounds)
        )
        rows.append(
            ThroughputRow(kind, best["adapter"], best["httpx"], best["aiohttp"], render_us)
        )
    return rows


# -- 2. a burst on simulated time ------------------------------------------------------------


def split_even(total: int, targets: int) -> list[int]:
    return [total // targets + (1 if i < total % targets else 0) for i in range(targets)]


def split_zipf(total: int, targets: int) -> list[int]:
    """Shares ∝ 1/rank, rounded by largest remainder so that they add up to ``total``."""
    weights = [1 / r for r in range(1, targets + 1)]
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(targets), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def last_send(requests: int, windows: Sequence[Window]) -> float:
    """Seconds from the first to the last of ``requests`` sends that keep every window."""
    times: list[float] = []
    for k in range(requests):
        t = times[-1] if times else 0.0
        for w in windows:
            if k >= w.count:
                t = max(t, times[k - w.count] + w.seconds)
        times.append(t)
    return times[-1] if times else 0.0


@dataclasses.dataclass
class BurstRow:
    kind: str
    split: str
    batched: bool
    matches: int
    robots: int
    requests: int
    most_to_one: int  # requests to the busiest robot
    ideal: float  # under the service's windows
    limiter_ideal: float  # under the adapter's (widened) windows
    achieved: float
    peak: int  # the fakes' own count: most requests to one robot in any window
    refused: int  # requests the fakes refused for the rate
    limit: Window
    real: float  # wall-clock seconds the simulation took


async def burst(kind: str, split: str, counts: Sequence[int], batched: bool) -> BurstRow:
    """Deliver ``counts[i]`` matches to robot ``i``; simulated makespan vs the ideal."""
    started = time.perf_counter()
    clock = SimClock()
    fake: FakeDingTalk | FakeWeCom
    if kind == "dingtalk":
        fake = FakeDingTalk(clock=clock)
        for i in range(len(counts)):
            fake.add_robot(dingtalk_token(i), secret=dingtalk_secret(i))
    else:
        fake = FakeWeCom(clock=clock)
        for i in range(len(counts)):
            fake.add_robot(wecom_key(i))
    (limit,) = channel_class(kind).windows
    entries = iter(make_entries(sum(counts)))
    async with serve(fake.app) as url:
        channels = [
            make_channel(kind, url, i, clock=clock, sleep=clock.sleep) for i in range(len(counts))
        ]
        plans: list[list[Message]] = []
        for n in counts:
            mine = tuple(next(entries) for _ in range(n))
            if batched:
                plans.append([Message(mine, title="AI 早报 · daily digest")])
            else:
                plans.append([Message((e,)) for e in mine])
        parts = [
            sum(len(c.render(m)) for m in plan) for c, plan in zip(channels, plans, strict=True)
        ]

        async def sender(channel: Channel, plan: Sequence[Message]) -> float:
            for message in plan:
                result = await channel.send(message)
                if result.outcome is not Outcome.SENT or result.sent_entries != len(
                    message.entries
                ):
                    raise RuntimeError(f"{channel.name}: {result}")
            return clock.now - clock.start

        try:
            finished = await asyncio.wait_for(
                clock.run([sender(c, p) for c, p in zip(channels, plans, strict=True)]), 600
            )
        finally:
            await asyncio.gather(*(c.aclose() for c in channels))
    robots = list(fake.robots.values())
    refused = (
        sum(r.bans for r in robots) if kind == "dingtalk" else sum(r.throttled for r in robots)
    )  # type: ignore[union-attr]
    return BurstRow(
        kind=kind,
        split=split,
        batched=batched,
        matches=sum(counts),
        robots=len(counts),
        requests=len(fake.requests),
        most_to_one=max(parts),
        ideal=max(last_send(p, [limit]) for p in parts),
        limiter_ideal=max(last_send(p, channels[0].limiter.windows) for p in parts),
        achieved=max(finished),
        peak=max(r.peak for r in robots),
        refused=refused,
        limit=limit,
        real=time.perf_counter() - started,
    )


async def bursts(matches: int, robots: int) -> list[BurstRow]:
    splits = {"even": split_even(matches, robots), "Zipf": split_zipf(matches, robots)}
    return [
        await burst(kind, split, counts, batched)
        for kind in BURST_KINDS
        for split, counts in splits.items()
        for batched in (False, True)
    ]


# -- the report ------------------------------------------------------------------------------


def machine() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("httpx", "aiohttp", "aiogram"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{package} {importlib.metadata.version(package)}")
    return (
        f"nproc {usable} (of {cpus}){', ' + model if model else ''}; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {', '.join(versions)}; "
        f"sniffio {_sniffio()}; asyncio default loop"
    )


def _sniffio() -> str:
    """Whether httpcore finds sniffio (when not, every request pays a failed import)."""
    try:
        return importlib.metadata.version("sniffio")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def throughput_table(rows: Sequence[ThroughputRow], targets: int, count: int, entries: int) -> str:
    lines = [
        f"{count:,} messages of {entries} entries per channel type, {targets} targets sending "
        "concurrently; best round of each.",
        "",
        "| channel | adapter msgs/s | raw httpx req/s | raw aiohttp req/s | "
        "adapter / raw httpx | adapter / raw aiohttp |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.kind} | {r.adapter.rate:,.0f} | {r.httpx.rate:,.0f} | {r.aiohttp.rate:,.0f} | "
        f"{r.adapter.rate / r.httpx.rate:.0%} | {r.adapter.rate / r.aiohttp.rate:.0%} |"
        for r in rows
    ]
    lines += [
        "",
        "Where the time goes: CPU µs of the sending process per message (render alone measured "
        "separately, no I/O), and how busy each process was (CPU time / wall time) while "
        "sending with the adapter / raw httpx / raw aiohttp.",
        "",
        "| channel | adapter CPU µs/msg | of which render | raw httpx CPU µs/req | "
        "raw aiohttp CPU µs/req | sender busy | fake server busy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        runs = (r.adapter, r.httpx, r.aiohttp)
        lines.append(
            f"| {r.kind} | {r.adapter.cpu_us:,.0f} | {r.render_us:,.0f} | {r.httpx.cpu_us:,.0f} | "
            f"{r.aiohttp.cpu_us:,.0f} | {' / '.join(_pct(x.busy) for x in runs)} | "
            f"{' / '.join(_pct(x.server_busy) for x in runs)} |"
        )
    return "\n".join(lines)


def _seconds(value: float) -> str:
    return f"{value:,.0f} s" if value else "0 s"


def burst_table(rows: Sequence[BurstRow]) -> str:
    lines = [
        "| robots | matches → robots | sent as | requests (busiest robot) | ideal at the limit | "
        "ideal, limiter's windows | achieved (simulated) | achieved / ideal | "
        "most in any window (fakes) | refused by fakes | real time |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r.achieved / r.ideal:.2f}" if r.ideal else "— (one window)"
        limit = f"{r.limit.count}/{r.limit.seconds:g} s"
        ok = "✓" if r.peak <= r.limit.count and not r.refused else "✗ EXCEEDED"
        lines.append(
            f"| {r.robots} {r.kind} ({limit}) | {r.matches:,} {r.split} | "
            f"{'batched by render' if r.batched else 'one per match'} | "
            f"{r.requests:,} ({r.most_to_one}) | {_seconds(r.ideal)} | "
            f"{_seconds(r.limiter_ideal)} | {_seconds(r.achieved)} | {ratio} | "
            f"{r.peak} of {r.limit.count} {ok} | {r.refused} | {r.real:.1f} s |"
        )
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, one round")
    ap.add_argument("--messages", type=int, help="messages per channel type (default 3,000)")
    ap.add_argument("--entries", type=int, default=3, help="entries per message (default 3)")
    ap.add_argument("--targets", type=int, help="concurrent targets (default 16)")
    ap.add_argument("--rounds", type=int, help="timed rounds per figure (default 3)")
    ap.add_argument("--matches", type=int, help="burst size (default 1,000)")
    ap.add_argument("--robots", type=int, help="rate-limited robots (default 50)")
    ap.add_argument("--kinds", nargs="+", default=THROUGHPUT_KINDS, choices=THROUGHPUT_KINDS)
    args = ap.parse_args()
    quick = args.quick
    count = args.messages or (200 if quick else 3_000)
    targets = args.targets or (8 if quick else 16)
    rounds = args.rounds or (1 if quick else 3)
    matches = args.matches or (200 if quick else 1_000)
    robots = args.robots or (10 if quick else 50)

    print("## Channel fan-out benchmark (bench/fanout.py)\n")
    print(f"Machine: {machine()}.\n")

    print("### 1. Sending-path throughput: local fakes in another process, no rate limits\n")
    fleet = start_fleet(targets)
    try:
        rows = asyncio.run(throughput(fleet, args.kinds, targets, count, args.entries, rounds))
    finally:
        fleet.stop()
    print(throughput_table(rows, targets, count, args.entries))

    print(
        f"\n### 2. A burst of {matches:,} matches to {robots} rate-limited robots "
        "(simulated clock)\n"
    )
    burst_rows = asyncio.run(bursts(matches, robots))
    print(burst_table(burst_rows))
    exceeded = [r for r in burst_rows if r.peak > r.limit.count or r.refused]
    if exceeded:
        print(
            f"\nFAILED: {len(exceeded)} burst(s) went over a robot's rate limit", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
