"""Issuers and their units, by what they are: a body's name ends in an organisational suffix
(人民政府, 办公室, 指挥部, 委员会, 部, …); its unit is the place it governs, read from the
place names at its start (庆元县应对…指挥部 → 庆元县, 中共岳阳市委办公室 → 岳阳市); a central body
without a place (国务院办公厅, 交通运输部) is its own unit. A document number's issuer code
(国办发, 粤府办) names its issuer through the shipped table ``resources/doc_number_prefixes.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from ..tomlfiles import tomllib

__all__ = ["BODY_SUFFIX", "is_body", "clean_issuer", "place_of", "issuer_unit", "issuer_from_number", "number_code"]

#: Suffixes of issuing bodies, longest first.
_BODIES = sorted(
    """人民政府 政府 办公厅 办公室 指挥部 委员会 管委会 领导小组 宣传部 组织部 统战部 部 厅 局 委 院 署 会 中心 办 政府办
    县委 市委 区委 党委 总局 公司 大队 支队""".split(),
    key=len,
    reverse=True,
)
BODY_SUFFIX = re.compile("(?:" + "|".join(_BODIES) + r")$")

_PLACE_SUFFIXES = sorted(
    ["自治区", "省", "自治州", "地区", "市", "州", "盟", "自治县", "县", "区", "旗", "高新区", "新区", "开发区", "管理区", "林区", "特区"],
    key=len,
    reverse=True,
)
#: A place name never starts with these (全县, 本市, 各区), nor is one of the level words itself.
_NOT_NAME = tuple("全本我各该此每其") + ("相关", "有关")
_LEVEL = set("省市县区州镇乡")
_GENERIC_NAMES = {"县城", "市区", "城区", "市直", "县直", "省直", "区直", "市属", "县属", "主城", "辖", "地", "自治", "特别行政"}
_STRIP = re.compile(r"^(?:中共|中国共产党|中华人民共和国)")
_JOINT = re.compile(r"[;；、,，]|\s{2,}")


def is_body(text: str) -> bool:
    """A short name ending in an organisational suffix, without sentence punctuation."""
    text = re.sub(r"\s+", "", text)
    return 2 <= len(text) <= 40 and not re.search(r"[。,，;；:：!?！？“”《》]", text) and bool(BODY_SUFFIX.search(text))


def clean_issuer(text: str) -> str:
    """An issuer as written, spaces and quotation marks taken out (signatures are often spaced)."""
    return re.sub(r"[\s\u3000“”\"']", "", text)


def _one_char_ok(name: str, suffix: str) -> bool:
    return len(name) > 1 or suffix in ("县", "旗")


def _place_at(text: str, position: int) -> tuple[str, str] | None:
    """The shortest name at ``position`` followed by a place suffix: (name, suffix)."""
    for n in range(1, 8):
        name = text[position : position + n]
        if len(name) < n or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
            return None
        for suffix in _PLACE_SUFFIXES:
            if text.startswith(suffix, position + n) and _one_char_ok(name, suffix):
                return name, suffix
    return None


def place_of(issuer: str) -> str:
    """The smallest place of the chain an issuer's name opens with, suffix kept, or "".

    "杭州市钱塘区新型…指挥部" → 钱塘区; "长沙高新区…" → 长沙高新区; "县防汛抗旱指挥部办公室" → "" (no place named).
    """
    text = _STRIP.sub("", clean_issuer(issuer))
    position, found = 0, ""
    while True:
        link = _place_at(text, position)
        if link is None:
            return found
        name, suffix = link
        if name.startswith(_NOT_NAME) or name in _GENERIC_NAMES:
            return found
        found, position = name + suffix, position + len(name) + len(suffix)


_CENTRAL = re.compile(r"^(?:国务院(?:办公厅)?|中共中央(?:办公厅)?|全国人民代表大会(?:常务委员会)?|[\u4e00-\u9fff]{2,10}(?:部|总局|委员会|署|银行))")


def issuer_unit(issuer: str) -> str:
    """The unit a document is grouped by: its issuer's place (庆元县), or a central body's name
    (国务院办公厅, 交通运输部), or "" where the issuer names no place (县防汛抗旱指挥部办公室).
    Of a joint issuer ("中共岳阳市委办公室；岳阳市人民政府办公室"), the first that names one."""
    for part in (p for p in _JOINT.split(issuer) if p.strip()):
        place = place_of(part)
        if place:
            return place
        text = _STRIP.sub("", clean_issuer(part))
        if text and text[0] in _LEVEL:
            continue  # 县防汛抗旱指挥部: a body of an unnamed place
        central = _CENTRAL.match(text)
        if central:
            return central.group(0)
    return ""


@lru_cache(maxsize=1)
def _prefix_table() -> dict:
    text = resources.files("analysis").joinpath("resources/doc_number_prefixes.toml").read_text("utf-8")
    return tomllib.loads(text)


_CODE = re.compile(r"^(?P<code>[\u4e00-\u9fff]{1,10}?)\s*(?:[〔\[［(（【]\s*(?:19|20)\d{2}|令\s*(?:第|(?:19|20)\d{2}))")


def number_code(doc_number: str) -> str:
    """The issuer code of a 文号: 国办发〔2019〕32号 → 国办发; 渝府令第121号 → 渝府令; 国务院令第227号 → 国务院令."""
    match = _CODE.match(clean_issuer(doc_number))
    if not match:
        return ""
    code = match["code"]
    rest = clean_issuer(doc_number)[len(code):]
    return code + "令" if rest.startswith("令") else code


def issuer_from_number(doc_number: str, extra: Mapping[str, str] | None = None) -> str:
    """The issuer a 文号's code names, from ``extra`` (a config's table) and the shipped table, or ""."""
    code = number_code(doc_number)
    if not code:
        return ""
    table = _prefix_table()
    exact = {**table["exact"], **(extra or {})}
    if code in exact:
        return exact[code]
    if code.endswith("令") and len(code) > 2 and code[:-1] not in table["provinces"] and not code[:-1].endswith(("府", "政")):
        return code[:-1]  # 交通运输部令, 国务院令: the body before 令
    province, rest = code[:1], code[1:]
    if province in table["provinces"] and rest in table["province_codes"]:
        return table["provinces"][province] + table["province_codes"][rest]
    return ""
