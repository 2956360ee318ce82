"""Benchmark the hostile inputs of issue 25 that used to hang or take minutes: seconds, printed.

    .venv/bin/python benchmarks/untrusted_input.py

An HTML page of 30,000 nested elements (337 KB), a `near` rule with a window of 10^9 characters
over a 60,000-character text, and a CSV cell of 200,000 characters. Writes nothing but a
temporary folder.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from analysis.io.corpus import read_corpus
from analysis.measures.lexicon import find_mentions, load_lexicon


def timed(name: str, func) -> None:
    started = time.perf_counter()
    detail = func()
    print(f"{name:<58} {time.perf_counter() - started:6.2f} s   {detail}")


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    depth = 30_000
    page = "<html><head><title>关于加强疫情防控的通知</title></head><body>" + "<div>" * depth
    page += "<p>各单位要加强疫情防控工作。</p>" + "</div>" * depth + "</body></html>"
    (folder / "deep.html").write_text(page, encoding="utf-8")
    timed(f"HTML page, {depth:,} nested elements ({len(page.encode()) / 1e3:.0f} KB)", lambda: f"{len(read_corpus(folder / 'deep.html'))} document(s)")

    lexicon_path = folder / "near.toml"
    lexicon_path.write_text(
        '[[measure]]\nname = "口罩"\nvariants = ["佩戴口罩"]\n\n[[measure.near]]\nmatch = ["口罩"]\nany_of = ["群众"]\nwithin = 1000000000\n\n'
        '[[measure]]\nname = "测温"\nvariants = ["测温登记"]\n\n[[measure.near]]\nmatch = ["测温"]\nall_of = ["登记"]\nwithin = "sentence"\n',
        encoding="utf-8",
    )
    lexicon = load_lexicon(lexicon_path)
    text = "城关派出所开展巡查，口罩发放到位，测温完成" * 3000 + "群众。"
    timed(f"near rules, window 10^9 and one {len(text):,}-character sentence", lambda: f"{len(find_mentions([text], ['d'], lexicon))} mentions")

    cell = "各单位要加强疫情防控工作。\n" * 15_000
    (folder / "long.csv").write_text('id,text\n1,"' + cell + '"\n2,城关派出所开展巡查。\n', encoding="utf-8")
    timed(f"CSV with a quoted cell of {len(cell):,} characters", lambda: f"{len(read_corpus(folder / 'long.csv'))} document(s)")


if __name__ == "__main__":
    main()
