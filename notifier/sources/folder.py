"""A watched folder: every new or changed digest file is handed to the pipeline.

Changes come from ``watchfiles`` (inotify, FSEvents, ReadDirectoryChangesW; polling when
``WATCHFILES_FORCE_POLLING`` is set, e.g. on network shares). A file is read once its size
and modification time have stayed the same for ``settle`` seconds after the watcher's own
quiet period (25 ms), so a file written in place is not read half-way; a writer that pauses
longer than that gets its file read again on its next change, and the pipeline only queues
what the first read lacked. Writing to a temporary name and renaming is the safe way:
hidden files (``.name``) and ``*.tmp``, ``*.part``, ``*.partial``, ``*.crdownload``,
``*.swp`` and ``*~`` files are never read.

A full scan also runs a second after start and every ``rescan`` seconds, for changes the
watcher cannot see (a file that landed while it started, an overflowed event queue). A file
whose hand-over failed (the store down) is not done: it is handed over again a second later,
then after 2, 4, 8 ... seconds (at most ``rescan``) until the pipeline takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from notifier.parse.targets import _NOT_DIGESTS, DIGEST_EXTS
from notifier.plaintext import show_size
from notifier.sources._status import Tracked, log
from notifier.sources.base import Digest, Emit, LoadState, SaveState

TEMPORARY = (".tmp", ".part", ".partial", ".crdownload", ".swp", "~")
#: Larger files are not digests (the same bound as ``notifier ingest``).
MAX_SIZE = 64 * 1024 * 1024
#: A file's (size, mtime_ns).
Signature = tuple[int, int]
#: The first wait before a failed hand-over is tried again (doubling up to ``rescan``).
RETRY_FIRST = 1.0


class FolderSource(Tracked):
    """Digest files in ``path`` (and its sub-folders when ``recursive``).

    ``pattern``: file-name globs (``"*.md"`` or several); ``None`` reads the digest files
    ``notifier ingest DIR`` reads (``.md``, ``.json``, ``.xml``... but not ``README.md``).
    """

    kind = "folder"

    def __init__(
        self,
        name: str,
        path: str | os.PathLike[str],
        pattern: str | Sequence[str] | None = None,
        *,
        recursive: bool = False,
        settle: float = 0.05,
        rescan: float = 30.0,
        max_size: int = MAX_SIZE,
        load_state: LoadState | None = None,
        save_state: SaveState | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, load_state, save_state, clock)
        self.path = Path(path).absolute()
        self.patterns = (pattern,) if isinstance(pattern, str) else tuple(pattern or ())
        self.recursive = recursive
        self.settle = settle
        #: The watcher yields a batch once no change came for this long (milliseconds).
        self.step_ms = 25
        self.rescan = rescan
        self.max_size = max_size
        #: What was handed over, per file: its signature and content hash.
        self._done: dict[str, tuple[Signature, str]] = {}
        #: Files whose hand-over failed: tried again with backoff.
        self._retry: set[Path] = set()

    def wanted(self, path: Path) -> bool:
        """Whether ``path`` (in the folder) is a digest file this source reads."""
        try:
            parts = path.relative_to(self.path).parts
        except ValueError:
            return False
        if not parts or (len(parts) > 1 and not self.recursive):
            return False
        if any(part.startswith(".") for part in parts):
            return False
        name = parts[-1]
        if name.lower().endswith(TEMPORARY):
            return False
        if self.patterns:
            return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)
        stem, ext = os.path.splitext(name)
        return ext.lower() in DIGEST_EXTS and stem.lower() not in _NOT_DIGESTS

    def files(self) -> list[Path]:
        """The digest files there now, sorted."""
        found: list[Path] = []
        if not self.path.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and self.recursive)
            found += [p for n in filenames if self.wanted(p := Path(dirpath) / n)]
        return sorted(found)

    async def once(self, emit: Emit) -> None:
        """Hand every digest file there now to ``emit``, in name order."""
        await self.restore()
        errors_before = self.last_error_at
        for path in self.files():
            await self._take(path, emit, force=True)
        if not self.path.is_dir():
            self.failed(f"the folder {str(self.path)!r} does not exist")
        elif self.last_error_at == errors_before:
            self.succeeded()
        await self.save()

    async def run(self, emit: Emit) -> None:
        """Read what is there (as :meth:`once`), then every new or changed file, until
        cancelled. Creates the folder if it does not exist."""
        await self.restore()
        with contextlib.suppress(OSError):  # reported by once() and by the watcher
            self.path.mkdir(parents=True, exist_ok=True)
        queue: asyncio.Queue[set[Path]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        watcher = self._start_watcher(queue)
        try:
            await self.once(emit)
            next_scan = loop.time() + min(1.0, self.rescan)
            next_retry, retry_wait = None, RETRY_FIRST
            while True:
                if not self._retry:
                    next_retry, retry_wait = None, RETRY_FIRST
                elif next_retry is None:
                    next_retry = loop.time() + retry_wait
                    retry_wait = min(retry_wait * 2, max(self.rescan, RETRY_FIRST))
                wake = min(next_scan, next_retry or next_scan)
                try:
                    changed = await asyncio.wait_for(queue.get(), max(0.0, wake - loop.time()))
                except TimeoutError:
                    if loop.time() >= next_scan:
                        changed = set(self.files())
                        next_scan = loop.time() + self.rescan
                    else:
                        changed = set(self._retry)
                    next_retry = None
                if watcher.done():  # it failed (folder removed...): report, start again
                    self._watcher_failed(watcher)
                    await asyncio.sleep(1.0)
                    with contextlib.suppress(OSError):
                        self.path.mkdir(parents=True, exist_ok=True)
                    watcher = self._start_watcher(queue)
                if await self._batch(changed, emit):
                    await self.save()
        finally:
            await _stop(watcher)

    def _start_watcher(self, queue: asyncio.Queue[set[Path]]) -> _Watcher:
        stop = asyncio.Event()
        task = asyncio.create_task(self._watch(stop, queue), name=f"watch:{self.name}")
        return _Watcher(task, stop)

    async def _watch(self, stop: asyncio.Event, queue: asyncio.Queue[set[Path]]) -> None:
        from watchfiles import awatch

        async for changes in awatch(
            self.path,
            watch_filter=None,
            stop_event=stop,
            recursive=self.recursive,
            step=self.step_ms,
            rust_timeout=1_000,
        ):
            queue.put_nowait({Path(p) for _, p in changes})

    def _watcher_failed(self, watcher: _Watcher) -> None:
        exc = None if watcher.task.cancelled() else watcher.task.exception()
        why = f"{type(exc).__name__}: {exc}" if exc else "it stopped"
        self.failed(f"cannot watch {str(self.path)!r} ({why})")

    async def _batch(self, changed: Iterable[Path], emit: Emit) -> bool:
        """Read the changed files once they have settled; return whether any was handed."""
        paths = set()
        for path in changed:
            if not path.exists():  # deleted or renamed away
                self._done.pop(str(path), None)
                self._retry.discard(path)
            elif path.is_dir() and self.recursive:
                paths.update(p for p in self.files() if path in p.parents)  # a moved-in folder
            elif self.wanted(path):
                paths.add(path)
        before = {p: _signature(p) for p in paths}
        fresh = {p for p, sig in before.items() if sig and sig[0] and sig != self._seen(p)}
        if not fresh:
            return False
        await asyncio.sleep(self.settle)
        handed = False
        for path in sorted(fresh):
            # Still being written: its next change comes as another event.
            if _signature(path) == before[path]:
                handed |= await self._take(path, emit)
        return handed

    def _seen(self, path: Path) -> Signature | None:
        done = self._done.get(str(path))
        return done[0] if done else None

    async def _take(self, path: Path, emit: Emit, *, force: bool = False) -> bool:
        """Read ``path`` and hand it over unless its content was handed already."""
        self._retry.discard(path)  # back in if the hand-over fails
        sig = _signature(path)
        if sig is None or sig[0] == 0:
            return False
        if sig[0] > self.max_size:
            self.failed(f"{path.name}: larger than {show_size(self.max_size)}, skipped")
            return False
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError):  # gone: renamed away, deleted
                self.failed(f"cannot read {path.name}: {exc.strerror or type(exc).__name__}")
            return False
        digest = hashlib.sha256(data).hexdigest()
        done = self._done.get(str(path))
        if done and done[1] == digest and not force:
            self._done[str(path)] = (sig, digest)
            return False
        try:
            await emit(Digest(data, str(path), self.name, filename=path.name, layout=self.layout))
        except Exception as exc:  # the pipeline's problem (the store down): try again later
            self.failed(f"{path.name}: not handed over ({type(exc).__name__}: {exc})")
            log.debug("source %s: emit failed", self.name, exc_info=True)
            self._retry.add(path)
            return False
        self._done[str(path)] = (sig, digest)
        self.digests += 1
        self.succeeded()
        return True


class _Watcher:
    def __init__(self, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        self.task = task
        self.stop = stop

    def done(self) -> bool:
        return self.task.done()


async def _stop(watcher: _Watcher) -> None:
    """Stop the watcher thread (it checks ``stop`` every step), then its task."""
    watcher.stop.set()
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(asyncio.shield(watcher.task), 2.0)
    watcher.task.cancel()
    with contextlib.suppress(BaseException):
        await watcher.task


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    return st.st_size, st.st_mtime_ns
