"""Benchmark the research methods (issue 5): seconds and peak memory per method, printed.

    .venv/bin/python benchmarks/bench_methods.py [path/to/government_work_reports.jsonl] [--memory]

Runs every method on the shipped bulletin (through ``analyse``), then on the gov work reports
(1.1 million characters; read with a small loader, one "unit" per decade so keyness and
clustering have groups). Prints a table; writes nothing.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOV = ROOT.parent / "shared" / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"


MEMORY = "--memory" in sys.argv  # tracemalloc peaks per step (slows every step down several times)


def measure(rows: list, corpus: str, name: str, func):
    if MEMORY:
        tracemalloc.start()
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if MEMORY else float("nan")
    if MEMORY:
        tracemalloc.stop()
    rows.append((corpus, name, round(seconds, 3), round(peak, 1), len(value) if hasattr(value, "__len__") else ""))
    return value


def bulletin(rows: list) -> None:
    from analysis.questions import analysed_documents
    from analysis.methods.results import method_results
    from analysis.pipeline import analyse

    analysis = measure(rows, "bulletin", "analyse (methods computed when first asked)", analyse)
    results = measure(rows, "bulletin", "all methods (method_results(...).compute())", lambda: method_results(
        documents=analysed_documents(analysis), mentions=analysis.mentions, measures=analysis.measures,
        clustering=analysis.clustering, tokens=analysis.token_ids, lexicon=analysis.lexicon,
        segmenter=analysis.segmenter).compute(progress=False))
    rows[-1] = (*rows[-1][:4], f"{len(results.kwic)} kwic rows")


def gov_reports(rows: list, path: Path) -> None:
    from analysis.methods.clusters import cluster_units
    from analysis.methods.cooccurrence import collocations, measure_cooccurrence
    from analysis.text.counts import term_frequencies
    from analysis.methods.diagnostics import lexicon_report
    from analysis.methods.keyness import keyness
    from analysis.methods.kwic import kwic
    from analysis.measures.lexicon import DEFAULT_LEXICON, find_mentions, load_lexicon, measure_matrix
    from analysis.text.tokens import DEFAULT_DICTIONARY, DEFAULT_STOPWORDS, make_tokenizer, read_word_list, tokenize
    from analysis.methods.trends import mention_trends
    from analysis.methods.validation import validate_clustering

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = pd.DataFrame(
        {
            "doc_id": [f"gwr-{i:03d}" for i in range(len(records))],
            "date_start": [f"{r['year']}-01-01" if r.get("year") else None for r in records],
            "text": [r["content"] for r in records],
        }
    )
    docs["unit"] = [f"{d[:3]}0s" if d else "" for d in docs["date_start"].fillna("")]
    lexicon = load_lexicon(DEFAULT_LEXICON.parent / "gov_work_reports.toml")
    tokenizer = make_tokenizer(dictionaries=(DEFAULT_DICTIONARY,), words=lexicon.terms())
    stopwords = frozenset(read_word_list(DEFAULT_STOPWORDS))
    tokens = measure(rows, "gov", "tokenize (context)", lambda: tokenize(docs["text"], tokenizer, stopwords=stopwords, keep=lexicon.terms()))
    mentions = measure(rows, "gov", "find_mentions (context)", lambda: find_mentions(docs["text"], docs["doc_id"], lexicon))
    terms = term_frequencies(tokens)
    measure(rows, "gov", "kwic", lambda: kwic(docs, mentions, window=20))
    measure(rows, "gov", "keyness (by decade)", lambda: keyness(tokens, docs["unit"].tolist(), top_n=30))
    measure(rows, "gov", "measure_cooccurrence", lambda: measure_cooccurrence(mentions, docs["doc_id"].tolist(), lexicon))
    measure(rows, "gov", "collocations", lambda: collocations(tokens, min_count=3))
    matrix = measure_matrix(mentions, docs.set_index("doc_id")["unit"], lexicon)
    clustering = cluster_units(matrix)
    measure(rows, "gov", "validate_clustering (200 resamples)", lambda: validate_clustering(matrix, clustering).table())
    measure(rows, "gov", "lexicon_report", lambda: lexicon_report(lexicon, docs, mentions, tokens, terms, tokenizer=tokenizer))
    measure(rows, "gov", "mention_trends (by year)", lambda: mention_trends(docs, mentions, lexicon))


def main() -> None:
    rows: list = []
    bulletin(rows)
    args = [a for a in sys.argv[1:] if a != "--memory"]
    path = Path(args[0]) if args else GOV
    if path.exists():
        gov_reports(rows, path)
    else:
        print(f"{path}: not found, gov work reports skipped")
    table = pd.DataFrame(rows, columns=["corpus", "step", "seconds", "peak_MiB", "rows"])
    print(table.to_string(index=False))
    print(f"peak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
