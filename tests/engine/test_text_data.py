"""notifier/data: the shipped folding tables and Traditional data are current and exact."""

from __future__ import annotations

import importlib.util
import shutil
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from notifier import folding, hanzi
from notifier.folding import fold
from notifier.textdata import read_data

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("text_data", REPO / "scripts" / "text_data.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_opencc_dict() -> bool:
    import opencc

    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    return tool.exists() or shutil.which("opencc_dict") is not None


def test_fold_tables_match_unicodedata() -> None:
    shipped = read_data("fold.json")
    if shipped["unidata_version"] != unicodedata.unidata_version:
        pytest.skip("another Unicode version: the tables are computed at run time")
    assert shipped == folding.fold_data()


@pytest.mark.skipif(not _has_opencc_dict(), reason="OpenCC's opencc_dict tool is missing")
def test_traditional_data_is_current() -> None:
    """The shipped file is what scripts/text_data.py makes from the installed OpenCC/zhconv."""
    built = _script().build()["traditional.json"]
    shipped = read_data("traditional.json")
    assert shipped["phrases"] == built["phrases"]
    assert set(shipped["changed"]) == set(built["changed"])
    assert shipped["keep"] == built["keep"]


@pytest.mark.parametrize(
    "s",
    [
        "英伟达发布新芯片，软件与服务器",
        "核心文件程序都在这里，一份内部备忘录，高画质",
        "gpt-5 发布 😀 𠀀 㐀",
        "",
    ],
)
def test_simplified_text_skips_the_converter(s: str) -> None:
    assert not hanzi.may_change(s)
    assert hanzi.converter().convert(s) == (s, [])


@pytest.mark.parametrize(
    "s", ["輝達", "软體", "辉达发布", "新晶片", "伺服器", "演算法", "超微半导体", "昇腾", "藉口"]
)
def test_traditional_characters_and_tech_names_take_it(s: str) -> None:
    assert hanzi.may_change(s)


def test_every_unchanged_character_is_left_alone() -> None:
    """t2s leaves each CJK character outside ``changed`` as it is (the skip is exact)."""
    changed = set(read_data("traditional.json")["changed"])
    cjk = [chr(cp) for cp in range(0x3400, 0xA000) if chr(cp) not in changed]
    joined = "\n".join(cjk)
    assert hanzi.converter().t2s(joined) == joined


def test_fold_results_with_and_without_the_skip() -> None:
    """Same text and offsets as the converter run on everything."""
    for s in ["台灣的輝達發佈AI", "辉达的晶片", "高畫質 高画质", "一份内部文件", "憑藉深沈"]:
        f = fold(s, traditional=True)
        out, maps = hanzi.converter().convert(fold(s).text)
        assert f.text == out
        assert [f.span(i, i + 1) for i in range(len(out))] == [
            folding.Folded(out, s, maps).span(i, i + 1) for i in range(len(out))
        ]
