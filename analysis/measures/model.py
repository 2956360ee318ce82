"""Coding learned from hand-coded examples: one classifier per measure, on sentences.

The lexicon codes what its variants match; a hand-coded sample (``validate sample`` then a
coder's workbook) says what the sentences express. :func:`train_coding_model` fits, for each
measure, a linear model (logistic regression, classes weighted by their size) on character
1–3-grams of the coded sentences (TF-IDF): characters, because Chinese policy wording varies by
the word while keeping characters (不得聚餐, 禁止聚餐, 严禁聚餐); no pretrained model, nothing to
download. It reports cross-validated precision, recall and F1 per measure (stratified folds,
predictions made only by models that did not see the sentence), beside the lexicon's on the same
sentences, and warns when a measure has fewer than :data:`FEW_POSITIVES` positive examples: its
F1 then rests on a handful of sentences.

:func:`model_mentions` applies a model to a corpus: one mention per sentence and measure the
model codes (``variant`` is ``(model)``, ``start``/``end`` the sentence). :func:`combine_mentions`
joins lexicon and model mentions for ``[coding] method = "either"``: the model's sentence counts
only where the lexicon found nothing of that measure in the sentence. Models are saved with the
corpus hash, the coder, the lexicon and the scores (:func:`save_model`, :func:`load_model`).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .lexicon import MENTION_COLUMNS, Lexicon, find_mentions

__all__ = [
    "CodingModel",
    "FEW_POSITIVES",
    "MODEL_SCORE_COLUMNS",
    "MODEL_VARIANT",
    "sentence_spans",
    "train_coding_model",
    "model_mentions",
    "combine_mentions",
    "uncertain_units",
    "save_model",
    "load_model",
]

#: Fewer positive examples than this for a measure: its cross-validated scores are flagged.
FEW_POSITIVES = 10
#: The ``variant`` of a mention the model found (the model codes sentences, not words).
MODEL_VARIANT = "(model)"
MODEL_SCORE_COLUMNS = [
    "measure", "positives", "negatives", "folds",
    "model_precision", "model_recall", "model_f1",
    "lexicon_precision", "lexicon_recall", "lexicon_f1", "note",
]
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_FORMAT = "policy-analysis coding model 1"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` (ending in 。！？；!?; or a line break) as (start, end), stripped of
    surrounding whitespace, those without a Chinese or Latin letter left out: the same units
    ``validate sample --by sentence`` draws."""
    spans = []
    for m in _SENTENCE.finditer(text):
        piece = m.group(0)
        stripped = piece.strip()
        if not re.search(r"[\u4e00-\u9fffA-Za-z]", stripped):
            continue
        start = m.start() + len(piece) - len(piece.lstrip())
        spans.append((start, start + len(stripped)))
    return spans


@dataclass(frozen=True)
class CodingModel:
    """One fitted classifier per measure (``None`` where the coding had no positive or no
    negative example), with where it came from and how well it cross-validated."""

    measures: tuple[str, ...]
    classifiers: dict[str, Any]
    scores: pd.DataFrame
    coder: str
    corpus_sha256: str
    lexicon: str
    n_units: int
    threshold: float = 0.5
    warnings: tuple[str, ...] = field(default=())
    trained_on: tuple[str, ...] = field(default=())  # the ids of the units it learned from

    def probabilities(self, texts: Sequence[str]) -> pd.DataFrame:
        """Text × measure probability that the text expresses the measure (0 for a measure
        without a classifier)."""
        texts = [str(t) for t in texts]
        columns = {}
        for name in self.measures:
            model = self.classifiers.get(name)
            columns[name] = model.predict_proba(texts)[:, 1] if model is not None and texts else np.zeros(len(texts))
        return pd.DataFrame(columns, columns=list(self.measures))

    def predict(self, texts: Sequence[str]) -> pd.DataFrame:
        """Text × measure 0/1 codes."""
        return (self.probabilities(texts) >= self.threshold).astype(int)


class LexiconHits:
    """A scikit-learn transformer: for each text, 1 per measure the lexicon codes in it (its
    variants and rules), so a model can learn where to trust the lexicon and where the
    characters around say more."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"lexicon": self.lexicon}

    def set_params(self, **params: Any) -> "LexiconHits":
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, texts: Sequence[str], y: Any = None) -> "LexiconHits":
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix

        texts = [str(t) for t in texts]
        names = self.lexicon.names if self.lexicon is not None else []
        hits = np.zeros((len(texts), len(names)))
        if names and texts:
            found = find_mentions(texts, [str(i) for i in range(len(texts))], self.lexicon)
            column = {name: j for j, name in enumerate(names)}
            for i, name in zip(found["doc_id"].astype(int), found["measure"]):
                hits[i, column[name]] = 1.0
        return csr_matrix(hits)

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> Any:
        return self.transform(texts)


def _pipeline(random_state: int, lexicon: Lexicon | None) -> Any:
    """Character 1–3-grams (TF-IDF) and, with a lexicon, its codes as features; logistic
    regression with classes weighted by their size."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    features = make_union(chars, LexiconHits(lexicon)) if lexicon is not None else chars
    return make_pipeline(features, LogisticRegression(class_weight="balanced", C=10.0, max_iter=2000, random_state=random_state))


def _prf(truth: np.ndarray, guess: np.ndarray) -> tuple[float, float, float]:
    tp = int(((truth == 1) & (guess == 1)).sum())
    fp = int(((truth == 0) & (guess == 1)).sum())
    fn = int(((truth == 1) & (guess == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else (0.0 if fp + fn else float("nan"))
    return precision, recall, f1


def train_coding_model(
    texts: Sequence[str],
    codes: pd.DataFrame,
    *,
    lexicon_codes: pd.DataFrame | None = None,
    coder: str = "",
    corpus_sha256: str = "",
    lexicon: Lexicon | str = "",
    folds: int = 5,
    random_state: int = 0,
    trained_on: Sequence[str] = (),
) -> CodingModel:
    """Fit one classifier per measure (the columns of ``codes``, 0/1, one row per text) and
    cross-validate it.

    Each classifier is a logistic regression on character 1–3-grams (TF-IDF), classes weighted
    by their size (scikit-learn; nothing downloaded). Cross-validation uses ``folds`` stratified
    folds, fewer when a measure has fewer positives (at least 2 are needed); a measure with
    fewer than :data:`FEW_POSITIVES` positives gets a warning. The last row of ``scores`` pools
    every text × measure decision.

    Parameters
    ----------
    texts : sequence of str
        The hand-coded texts (sentences).
    codes : pandas.DataFrame
        One row per text, one 0/1 column per measure.
    lexicon_codes : pandas.DataFrame or None
        The lexicon's codes of the same texts (same shape), scored beside the model's.
    coder : str
        Whose codes these are (kept with the model).
    corpus_sha256 : str
        The corpus's hash (kept with the model).
    lexicon : Lexicon or str
        With a :class:`~analysis.measures.lexicon.Lexicon`, its codes of each text are features
        beside the characters (the model learns where to trust it); a str only names it.
    folds : int
        Cross-validation folds at most.
    random_state : int
        Seed of the folds.
    trained_on : sequence of str
        Ids of the texts (so that ``validate sample --uncertain`` leaves them out).

    Returns
    -------
    CodingModel
        ``classifiers``, ``scores`` (cross-validated precision, recall and F1 per measure),
        ``warnings``, ``predict(texts)`` and ``probabilities(texts)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import train_coding_model
    >>> texts = ["严禁聚餐聚会。", "不得聚餐。", "禁止聚集。", "做好个人防护。", "佩戴口罩。", "加强巡查。"]
    >>> model = train_coding_model(texts, pd.DataFrame({"不聚集": [1, 1, 1, 0, 0, 0]}), folds=2)
    >>> model.measures, model.scores.loc[0, "note"]
    (('不聚集',), 'few positives (3)')
    """
    features_lexicon = lexicon if isinstance(lexicon, Lexicon) else None
    lexicon_name = lexicon.name if isinstance(lexicon, Lexicon) else str(lexicon)
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [str(t) for t in texts]
    if len(texts) != len(codes):
        raise ValueError(f"{len(texts)} texts but {len(codes)} rows of codes")
    measures = tuple(str(c) for c in codes.columns)
    truth_all = codes.to_numpy(dtype=int)
    lexicon_all = None if lexicon_codes is None else lexicon_codes.reindex(columns=list(measures)).to_numpy(dtype=int)
    classifiers: dict[str, Any] = {}
    rows, warnings = [], []
    pooled_truth, pooled_model, pooled_lexicon = [], [], []
    for j, name in enumerate(measures):
        truth = truth_all[:, j]
        positives, negatives = int(truth.sum()), int(len(truth) - truth.sum())
        note = ""
        guess = np.zeros(len(truth), dtype=int)
        k = min(folds, positives, negatives)
        if positives == 0 or negatives == 0:
            classifiers[name] = None
            note = "not trained: " + ("no positive example" if positives == 0 else "no negative example")
        else:
            classifiers[name] = _pipeline(random_state, features_lexicon).fit(texts, truth)
            if k >= 2:
                splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
                proba = cross_val_predict(_pipeline(random_state, features_lexicon), texts, truth, cv=splitter, method="predict_proba")[:, 1]
                guess = (proba >= 0.5).astype(int)
            else:
                note = "not cross-validated: fewer than 2 positive examples"
        if positives < FEW_POSITIVES:
            few = f"{name}: {positives} positive example{'s' if positives != 1 else ''} (fewer than {FEW_POSITIVES}): its scores rest on few sentences"
            warnings.append(few)
            note = "; ".join(filter(None, [note, f"few positives ({positives})"]))
        cross_validated = classifiers[name] is not None and k >= 2
        model_p, model_r, model_f = _prf(truth, guess) if cross_validated else (float("nan"),) * 3
        lex = lexicon_all[:, j] if lexicon_all is not None else None
        lex_p, lex_r, lex_f = _prf(truth, lex) if lex is not None else (float("nan"),) * 3
        rows.append((name, positives, negatives, k if cross_validated else 0, model_p, model_r, model_f, lex_p, lex_r, lex_f, note))
        pooled_truth.append(truth)
        pooled_model.append(guess)
        if lex is not None:
            pooled_lexicon.append(lex)
    truth = np.concatenate(pooled_truth) if pooled_truth else np.zeros(0, dtype=int)
    model_p, model_r, model_f = _prf(truth, np.concatenate(pooled_model)) if pooled_model else (float("nan"),) * 3
    lex_p, lex_r, lex_f = _prf(truth, np.concatenate(pooled_lexicon)) if pooled_lexicon else (float("nan"),) * 3
    rows.append(("(all measures)", int(truth.sum()), int(len(truth) - truth.sum()), folds, model_p, model_r, model_f, lex_p, lex_r, lex_f,
                 "measures not cross-validated count as coding nothing"))
    scores = pd.DataFrame(rows, columns=MODEL_SCORE_COLUMNS)
    return CodingModel(
        measures=measures, classifiers=classifiers, scores=scores, coder=coder, corpus_sha256=corpus_sha256,
        lexicon=lexicon_name, n_units=len(texts), warnings=tuple(warnings), trained_on=tuple(map(str, trained_on)),
    )


def model_mentions(texts: Sequence[str], doc_ids: Sequence[str], model: CodingModel) -> pd.DataFrame:
    """One mention per sentence and measure the model codes: :data:`MENTION_COLUMNS`, ``variant``
    :data:`MODEL_VARIANT`, ``start``/``end`` the sentence's offsets, in document order."""
    spans, owners, pieces = [], [], []
    for doc_id, text in zip(doc_ids, texts, strict=True):
        text = str(text)
        for start, end in sentence_spans(text):
            spans.append((start, end))
            owners.append(doc_id)
            pieces.append(text[start:end])
    if not pieces:
        return pd.DataFrame(columns=MENTION_COLUMNS)
    codes = model.predict(pieces).to_numpy()
    rows = [
        (owners[i], name, MODEL_VARIANT, spans[i][0], spans[i][1])
        for i in range(len(pieces))
        for j, name in enumerate(model.measures)
        if codes[i, j]
    ]
    return pd.DataFrame(rows, columns=MENTION_COLUMNS)


def combine_mentions(lexicon_found: pd.DataFrame, model_found: pd.DataFrame, method: str) -> pd.DataFrame:
    """The mentions a coding ``method`` keeps, with a ``method`` column saying who found each:
    "lexicon" (lexicon mentions only), "model" (the model's only) or "either" (the lexicon's,
    plus the model's sentence where the lexicon found nothing of that measure in it): the
    lexicon's rows, then the model's."""
    if method not in ("lexicon", "model", "either"):
        raise ConfigError(f"[coding] method must be 'lexicon', 'model' or 'either', not {method!r}")
    lexicon_found = lexicon_found.assign(method="lexicon")
    model_found = model_found.assign(method="model")
    if method == "lexicon":
        return lexicon_found.reset_index(drop=True)
    if method == "model":
        return model_found.reset_index(drop=True)
    if len(lexicon_found) and len(model_found):
        merged = model_found.reset_index().merge(lexicon_found[["doc_id", "measure", "start"]], on=["doc_id", "measure"], how="left")
        inside = (merged["start_y"] >= merged["start_x"]) & (merged["start_y"] < merged["end"])
        covered = set(merged.loc[inside, "index"])
        model_found = model_found[~model_found.index.isin(covered)]
    return pd.concat([lexicon_found, model_found], ignore_index=True)


def uncertain_units(units: pd.DataFrame, model: CodingModel, *, n: int = 60) -> pd.DataFrame:
    """The ``n`` units (rows of a table with a ``text`` column) the model is least sure of:
    the smallest distance of any measure's probability from the threshold, ties by order.
    Adds ``uncertainty`` (1 = a probability at the threshold) and ``least_sure_of`` (the measure)."""
    if units.empty:
        return units.assign(uncertainty=[], least_sure_of=[])
    proba = model.probabilities(units["text"].astype(str).tolist())
    trained = [m for m in model.measures if model.classifiers.get(m) is not None]
    if not trained:
        raise ConfigError("the model has no trained measure: code some sentences with the measures first")
    distance = (proba[trained] - model.threshold).abs()
    closest = distance.min(axis=1).to_numpy()
    which = distance.idxmin(axis=1).to_numpy()
    ranked = units.assign(uncertainty=1 - 2 * closest, least_sure_of=which)
    order = np.argsort(closest, kind="stable")[:n]
    return ranked.iloc[order].reset_index(drop=True)


def save_model(model: CodingModel, path: str | Path) -> Path:
    """Write the model (scikit-learn pipelines, pickled with their provenance). Load only models
    you trained: unpickling runs code."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump({"format": _FORMAT, "model": model}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load_model(path: str | Path) -> CodingModel:
    """Read a model :func:`save_model` wrote; a clear error for anything else.

    A model file is a pickle: load only models you trained (unpickling runs code).

    Parameters
    ----------
    path : str or Path
        The model file (from ``python -m analysis validate train`` or
        :func:`analysis.train_from_workbooks`).

    Returns
    -------
    CodingModel
        The model, as :func:`train_coding_model` returned it.

    Raises
    ------
    ConfigError
        The file is missing or is not a coding model.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: model not found (train one with `python -m analysis validate train CODED.xlsx --out {path.name}`)")
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except Exception as error:  # a truncated or foreign file: say so in one line
        raise ConfigError(f"{path}: not a coding model ({type(error).__name__}); train one with `python -m analysis validate train`") from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("model"), CodingModel):
        raise ConfigError(f"{path}: not a coding model written by `python -m analysis validate train`")
    return data["model"]
