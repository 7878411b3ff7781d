"""FolderSource on a real temporary folder: new, renamed-in and modified files; temp files."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from notifier.sources import FolderSource
from tests.sources.helpers import Emitted, States, running, until

DIGEST = "# AI daily\n\n1. [OpenAI ships a thing](https://example.com/a)\n"


def write(path: Path, text: str = DIGEST) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def renamed_in(folder: Path, name: str, text: str = DIGEST) -> Path:
    """Write to a hidden temporary name, then rename into place (the safe way)."""
    tmp = write(folder / f".{name}.tmp", text)
    os.replace(tmp, folder / name)
    return folder / name


async def test_once_reads_every_digest_file_sorted(tmp_path: Path):
    """once() hands over each digest file there, by name; hidden, temporary and README not."""
    for name in ("b.md", "a.json", "c.xml", "README.md", ".hidden.md", "x.md.tmp", "y.part"):
        write(tmp_path / name)
    for name in ("z.md~", "notes.docx", "w.crdownload"):
        write(tmp_path / name)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "deep.md")
    emitted = Emitted()
    src = FolderSource("inbox", tmp_path)
    await src.once(emitted)
    assert emitted.names() == ["a.json", "b.md", "c.xml"]
    digest = emitted.digests[1]
    assert (digest.data, digest.origin, digest.source) == (
        DIGEST.encode(),
        str(tmp_path / "b.md"),
        "inbox",
    )
    assert src.digests == 3
    assert src.last_read is not None
    assert src.last_error is None
    # once() reads again what is there, every time.
    await src.once(emitted)
    assert len(emitted.digests) == 6


async def test_patterns_and_recursion(tmp_path: Path):
    """pattern picks file names; recursive reads sub-folders (not hidden ones)."""
    for name in ("a.md", "b.json", "c.txt"):
        write(tmp_path / name)
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    write(tmp_path / "sub" / "d.md")
    write(tmp_path / ".git" / "e.md")
    emitted = Emitted()
    await FolderSource("in", tmp_path, "*.md").once(emitted)
    assert emitted.names() == ["a.md"]
    emitted = Emitted()
    await FolderSource("in", tmp_path, ["*.md", "*.json"], recursive=True).once(emitted)
    assert emitted.names() == ["a.md", "b.json", "d.md"]


async def test_missing_folder(tmp_path: Path):
    """once() on a folder that is not there reads nothing and says so."""
    src = FolderSource("in", tmp_path / "nope")
    await src.once(Emitted())
    assert src.last_error == f"the folder {str(tmp_path / 'nope')!r} does not exist"


async def test_run_reads_existing_then_new_renamed_in_and_modified_files(tmp_path: Path):
    """run(): what is there, then each new or changed file; temp files never."""
    write(tmp_path / "old.md")
    states, emitted = States(), Emitted()
    src = FolderSource("inbox", tmp_path, load_state=states.load, save_state=states.save)
    async with running(src, emitted):
        await until(lambda: emitted.names() == ["old.md"])

        renamed_in(tmp_path, "new.md", DIGEST + "2. [Second](https://example.com/b)\n")
        await until(lambda: len(emitted.digests) == 2)
        assert emitted.names()[-1] == "new.md"
        assert emitted.digests[-1].data.endswith(b"/b)\n")

        write(tmp_path / "direct.md", DIGEST + "3. [Third](https://example.com/c)\n")
        await until(lambda: len(emitted.digests) == 3)
        assert emitted.names()[-1] == "direct.md"

        write(tmp_path / "old.md", DIGEST + "4. [Changed](https://example.com/d)\n")
        await until(lambda: len(emitted.digests) == 4)
        assert emitted.names()[-1] == "old.md"
        assert emitted.digests[-1].data.endswith(b"/d)\n")

        for name in (".hidden.md", "partial.md.part", "save.md.tmp", "backup.md~"):
            write(tmp_path / name)
        write(tmp_path / "last.md", DIGEST + "5. [Last](https://example.com/e)\n")
        await until(lambda: len(emitted.digests) == 5)
        assert emitted.names()[-1] == "last.md"
    assert emitted.names() == ["old.md", "new.md", "direct.md", "old.md", "last.md"]
    assert states.data["inbox"]["digests"] == 5
    assert states.data["inbox"]["last_error"] is None


async def test_touch_without_change_is_not_handed_again(tmp_path: Path):
    """A file whose content did not change is not handed over again."""
    emitted = Emitted()
    src = FolderSource("inbox", tmp_path)
    async with running(src, emitted):
        await until(lambda: src.last_read is not None)
        write(tmp_path / "a.md")
        await until(lambda: len(emitted.digests) == 1)
        write(tmp_path / "a.md")  # same bytes, new mtime
        write(tmp_path / "b.md", DIGEST + "x\n")
        await until(lambda: len(emitted.digests) == 2)
    assert emitted.names() == ["a.md", "b.md"]


async def test_file_written_in_parts_is_read_complete_in_the_end(tmp_path: Path):
    """A writer that pauses mid-file: the last digest handed over is the whole file."""
    emitted = Emitted()
    src = FolderSource("inbox", tmp_path)
    full = DIGEST + "".join(f"{i}. [Item {i}](https://example.com/{i})\n" for i in range(2, 40))
    async with running(src, emitted):
        await until(lambda: src.last_read is not None)
        with (tmp_path / "slow.md").open("w", encoding="utf-8") as f:
            f.write(full[:30])
            f.flush()
            await until(lambda: len(emitted.digests) >= 1)  # read half-way: it paused long
            f.write(full[30:])
        await until(lambda: emitted.digests[-1].data == full.encode())


async def test_run_creates_the_folder(tmp_path: Path):
    """A folder that does not exist yet is created and watched."""
    folder = tmp_path / "later" / "inbox"
    emitted = Emitted()
    src = FolderSource("inbox", folder)
    async with running(src, emitted):
        await until(folder.is_dir)
        await until(lambda: src.last_read is not None)
        renamed_in(folder, "a.md")
        await until(lambda: emitted.names() == ["a.md"])


async def test_failed_hand_over_is_retried_by_the_rescan(tmp_path: Path):
    """When emit fails the file is tried again at the next scan."""
    emitted = Emitted()
    emitted.fail = True
    src = FolderSource("inbox", tmp_path, rescan=0.2)
    async with running(src, emitted):
        await until(lambda: src.last_read is not None)
        renamed_in(tmp_path, "a.md")
        await until(lambda: src.last_error is not None)
        assert src.last_error == "a.md: not handed over (RuntimeError: store is down)"
        emitted.fail = False
        await until(lambda: emitted.names() == ["a.md"])
        await until(lambda: src.last_error is None)


async def test_failed_hand_over_is_retried_soon_without_waiting_for_the_rescan(tmp_path: Path):
    """A file the pipeline could not take (the store down) is not done: it is handed over
    again after a short backoff, not at the next full scan (an hour away here)."""
    emitted = Emitted()
    emitted.fail = True
    src = FolderSource("inbox", tmp_path, rescan=3600)
    async with running(src, emitted):
        await until(lambda: src.last_read is not None)
        await asyncio.sleep(1.5)  # past the scan a second after start: the next is in an hour
        renamed_in(tmp_path, "a.md")
        await until(lambda: src.last_error is not None)
        emitted.fail = False
        await until(lambda: emitted.names() == ["a.md"])
        renamed_in(tmp_path, "b.md")  # and new files still come as they land
        await until(lambda: emitted.names() == ["a.md", "b.md"])


async def test_recursive_run_sees_new_sub_folders(tmp_path: Path):
    """With recursive, files in a new sub-folder are read too."""
    emitted = Emitted()
    src = FolderSource("inbox", tmp_path, "*.md", recursive=True)
    async with running(src, emitted):
        await until(lambda: src.last_read is not None)
        (tmp_path / "2026").mkdir()
        renamed_in(tmp_path / "2026", "a.md")
        await until(lambda: emitted.names() == ["a.md"])


async def test_oversized_file_is_skipped(tmp_path: Path):
    """A file over max_size is not read, and the reason is kept."""
    write(tmp_path / "big.md", "x" * 5000)
    emitted = Emitted()
    src = FolderSource("inbox", tmp_path, max_size=4096)
    await src.once(emitted)
    assert emitted.digests == []
    assert src.last_error == "big.md: larger than 4 KB, skipped"


@pytest.mark.parametrize(
    ("name", "wanted"),
    [
        ("a.md", True),
        ("A.MD", True),
        ("feed.atom", True),
        ("readme.md", False),
        (".a.md", False),
        ("a.md.tmp", False),
        ("a.md.part", False),
        ("a.md~", False),
        ("a.png", False),
    ],
)
def test_wanted_default(tmp_path: Path, name: str, wanted: bool):
    """Without a pattern: the digest extensions ingest reads, no boilerplate, no temp files."""
    assert FolderSource("in", tmp_path).wanted(tmp_path / name) is wanted
