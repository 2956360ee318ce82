"""How long reading takes: the gov work reports as shipped (UTF-8 JSON Lines), re-encoded as
GB18030 and as Big5 (detected by charset-normalizer), and the shipped bulletin as HTML.

    .venv/bin/python benchmarks/read_corpora.py

Prints one line per case: documents, characters, seconds (best of 3). Writes only to a
temporary folder.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from analysis.io.corpus import DEFAULT_CORPUS, Columns, read_corpus

GOV = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"
COLUMNS = Columns(text="content", date="year", title="title")


def best_of(n: int, func):
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def report(name: str, seconds: float, corpus) -> None:
    chars = sum(len(d.text) for d in corpus.documents)
    encodings = ",".join(sorted({s.encoding for s in corpus.sources}))
    print(f"{name:<34} {len(corpus.documents):>4} docs {chars:>9,} chars  {seconds:6.2f} s  encoding={encodings}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        seconds, corpus = best_of(3, lambda: read_corpus(GOV, columns=COLUMNS))
        report("gov reports, UTF-8 jsonl", seconds, corpus)
        records = [json.loads(line) for line in GOV.read_text(encoding="utf-8").splitlines()]
        gb = folder / "gov-gb18030.jsonl"
        gb.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("gb18030"))
        seconds, corpus = best_of(3, lambda: read_corpus(gb, columns=COLUMNS))
        report("gov reports, GB18030 jsonl", seconds, corpus)
        old = records[-1]  # the 1954 report, traditional characters
        big5 = folder / "gov-1954-big5.jsonl"
        big5.write_bytes(json.dumps(old, ensure_ascii=False).encode("big5", errors="ignore"))
        seconds, corpus = best_of(3, lambda: read_corpus(big5, columns=COLUMNS))
        report("1954 report, Big5 jsonl", seconds, corpus)
        html = folder / "bulletin.html"
        body = "".join(f"<p>{line}</p>" for line in DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines())
        html.write_text(f"<html><head><script>var x=1;</script></head><body><nav>首页</nav>{body}</body></html>", encoding="utf-8")
        seconds, corpus = best_of(3, lambda: read_corpus(html))
        report("shipped bulletin as HTML", seconds, corpus)


if __name__ == "__main__":
    main()
