"""The parts of an official document (公文, GB/T 9704) by what they are: the metadata rows of a
disclosure page (索引号, 发文机关, 成文日期 …), the title (issuer + 关于 + subject + 文种), the
document number (文号: issuer code, year, serial), the addressees (主送机关), the signature
block (issuing bodies and 成文日期, on their own lines or glued to the text), and a work
report's session line. Each function reads one part from the page's lines and returns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .dates import FULL_DATE, date_only, find_full_date, session_line
from .lines import PageLine, is_paragraph
from .units import BODY_SUFFIX, clean_issuer, is_body, place_of

__all__ = [
    "DOC_TYPES",
    "Metadata",
    "read_metadata",
    "title_type",
    "find_title",
    "title_issuer",
    "find_doc_number",
    "is_metadata_row",
    "Signature",
    "find_signature",
    "find_addressees",
    "report_issuer",
]

#: Document types (文种), longest first, as a title ends with them.
DOC_TYPES = tuple(
    sorted(
        """倡议书 通告 公告 通知 通报 命令 决定 意见 实施意见 办法 规定 条例 细则 实施细则 规则 方案 预案 批复 报告
        工作报告 函 纪要 决议 令 公报 指引 规划 要点 公开信 告知书 提示 预警""".split(),
        key=len,
        reverse=True,
    )
)
_TYPE = "(?:" + "|".join(DOC_TYPES) + ")"
#: What may follow the 文种 in a title: a number (第14号, 【9号令】, (岳办发〔2017〕2号)), (全文), (2024修订).
_TITLE_TAIL = r"(?:\s*[(（【〔\[]?\s*(?:第\s*\d+\s*号|\d+\s*号令?|[^()（）【】]{0,30}号|全文|\d{4}年?修订)\s*[)）】〕\]]?)?"
_TITLE = re.compile(rf"(?P<type>{_TYPE})(?P<tail>{_TITLE_TAIL})$")
#: An order's title ending in its number: "…指挥部【9号令】", "…指挥部2号令".
_ORDER_TITLE = re.compile(r"[【(（]\s*(?:第\s*)?\d+\s*号(?P<type>令)\s*[】)）]$")
_NUMBER_IN_TAIL = re.compile(r"第\s*\d+\s*号|\d+\s*号令|[\u4e00-\u9fff]*〔\s*\d{4}\s*〕\s*\d+\s*号|[\u4e00-\u9fff]{2,20}令\s*(?:\d{4}年)?第\s*\d+\s*号")
_TAGS = re.compile(r"^[•·\-\s]*(?:【[^】]{1,10}】\s*)*")

# ---- metadata rows -------------------------------------------------------------------------

_LABELS = sorted(
    """索引号 信息索引 主题分类 组配分类 体裁分类 服务对象分类 机构分类 行业分类 公文类型 信息分类 分类 发布机构 发文机关 发文机构
    制定机关 所属机构 发布单位 成文日期 发文日期 发布日期 公开日期 上载日期 公文生成日期 生成日期 生效日期 实施日期 公布日期
    公布年份 备注/文号 发文字号 文号 主题词 关键词 有效性 时效性 效力位阶 信息名称 名称 内容概述 统一编号 快速聚焦 信息来源
    来源 公开方式 公开范围 公开时限 归档时间 日期 时间""".split(),
    key=len,
    reverse=True,
)
_LABEL = "|".join(r"\s*".join(map(re.escape, label)) for label in _LABELS)
_ROW = re.compile(rf"^[•·\-\s]*(?P<label>{_LABEL})\s*(?:[:：]|\s|$)")
_NEXT_LABEL = re.compile(rf"(?:^|(?<=[\s;；,，]))(?P<label>{_LABEL})\s*(?:[:：]|\s)")
#: Labels whose value may be a line of its own; a title-like value (名称, 内容概述) is not taken from the next line.
_NO_VALUE_LINE = ("名称", "信息名称", "内容概述")


def is_metadata_row(text: str) -> bool:
    """A line that opens with a metadata label (索引号, 发 布 机 构, • 发文字号:)."""
    return _ROW.match(text) is not None


@dataclass
class Metadata:
    """A disclosure page's metadata rows: label (spaces removed) → value, and the lines they took."""

    fields: dict[str, str] = field(default_factory=dict)
    lines: set[int] = field(default_factory=set)

    def first(self, *labels: str) -> str:
        return next((self.fields[label] for label in labels if self.fields.get(label)), "")


def _row_fields(text: str) -> list[tuple[str, str]]:
    """"发 布 机 构 市人民政府办公室 发 文 日 期 2019-11-29" → [(发布机构, 市…), (发文日期, 2019-11-29)]."""
    body = re.sub(r"^[•·\-\s]+", "", text)
    found = list(_NEXT_LABEL.finditer(body)) or list(_ROW.finditer(body))
    pairs = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(body)
        value = body[match.end() : end].strip(" :：,，;；")
        pairs.append((re.sub(r"\s+", "", match["label"]), value))
    return pairs


def _is_value_line(text: str) -> bool:
    """A line that can be a label's value: short, not a row, a title or running text."""
    return not _ROW.match(text) and len(text) <= 60 and not is_paragraph(text) and not title_type(text)


def read_metadata(lines: list[PageLine], end: int) -> Metadata:
    """The metadata rows among ``lines[:end]`` (the page above its first paragraph).

    A row opens with a label (索引号, 发布机构, 成文日期 …, spaced or not, after a bullet);
    a line may hold several; a label alone takes the next line as its value when that line
    is short and not itself a row (tables flattened to label / value lines).
    """
    meta = Metadata()
    i = 0
    while i < end:
        line = lines[i]
        if not _ROW.match(line.simple) or len(line.simple) > 150 or "。" in line.simple:
            i += 1
            continue
        meta.lines.add(line.n)
        pairs = _row_fields(line.simple)
        for label, value in pairs:
            meta.fields.setdefault(label, value) if value else meta.fields.setdefault(label, "")
        label, value = pairs[-1] if pairs else ("", "x")
        following = lines[i + 1] if i + 1 < end else None
        alone = len(pairs) == 1 and not value
        if alone and following and label not in _NO_VALUE_LINE and _is_value_line(following.simple):
            meta.fields[label] = following.simple
            meta.lines.add(following.n)
            i += 1
        i += 1
    return meta


# ---- title, number, addressees ---------------------------------------------------------------


def title_type(text: str) -> str:
    """The 文种 a title line ends with ("…的通知" → 通知, "…指挥部令第6号" → 令), or ""."""
    text = _TAGS.sub("", text).strip()
    if not text or len(text) > 90 or re.search(r"[。;；!！?？]", text) or text.endswith((":", "：")):
        return ""
    match = _TITLE.search(text) or _ORDER_TITLE.search(text)
    return match["type"] if match else ""


def find_title(lines: list[PageLine], end: int, skip: set[int]) -> tuple[int, int] | None:
    """Where the title is among ``lines[:end]``: (first, last) indices, or None.

    The first line ending in a 文种 (not a metadata row); a title wrapped over lines is joined
    upward to the line with 关于 (or the issuer's name above a title that opens with 关于).
    """
    for i in range(end):
        line = lines[i]
        if line.kind or line.n in skip or not title_type(line.simple):
            continue
        last = i
        while last + 1 < len(lines) and lines[last + 1].simple.startswith("的") and title_type(lines[last + 1].simple):
            last += 1  # "…印发柳河县防汛应急预案" / "的通知"
        return _title_top(lines, i, skip), last
    return None


def _title_top(lines: list[PageLine], i: int, skip: set[int]) -> int:
    """The first line of a title that ends at ``lines[i]``: the line with 关于 above a wrapped
    title, or the issuer's name above a title that opens with 关于."""
    def short(j: int) -> bool:
        above = lines[j]
        return not above.kind and above.n not in skip and len(above.simple) <= 40 and not re.search(r"[。,，:：;；]", above.simple)

    if lines[i].simple.startswith("关于"):
        return i - 1 if i > 0 and short(i - 1) and is_body(lines[i - 1].simple) else i
    if "关于" in lines[i].simple:
        return i
    for j in range(i - 1, max(i - 4, -1), -1):
        if not short(j):
            break
        if "关于" in lines[j].simple:
            return j - 1 if lines[j].simple.startswith("关于") and j > 0 and short(j - 1) and is_body(lines[j - 1].simple) else j
    return i


def title_issuer(title: str) -> str:
    """The issuer a title names: the body before 关于/印发 or before the 文种 and its number.

    "庆元县…指挥部通告第14号" → 庆元县…指挥部; "柳城安全预警〔2020〕1号-柳城县安委会办公室关于…" → 柳城县安委会办公室.
    """
    text = clean_issuer(_TAGS.sub("", title))
    text = re.sub(r"^.*?〔\s*\d{4}\s*〕\s*\d+\s*号\s*[-—]*", "", text)
    text = re.sub(r"^[(（][^)）]{1,6}[)）]", "", text)  # (广西)
    text = re.sub(r"^(?:19|20)\d{2}年(?:度)?", "", text)
    for marker in ("关于", "印发", "转发"):
        head = text.split(marker, 1)[0]
        if marker in text and is_body(head):
            return head
    match = _TITLE.search(text)
    if match:
        head = text[: match.start()]
        head = re.sub(r"(?:\d+号|第\d+号)$", "", head)
        for ending in ("工作", ""):
            if ending and head.endswith(ending) and is_body(head[: -len(ending)]):
                return head[: -len(ending)]
        if is_body(head):
            return head
    return ""


_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{0,12}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d+\s*号"
    r"|[\u4e00-\u9fff]{1,16}令\s*(?:(?:19|20)\d{2}\s*年\s*)?第\s*\d+\s*号"
)


def find_doc_number(lines: list[PageLine], title: str, meta: Metadata) -> str:
    """The 文号: a metadata field, a line holding it (before the first paragraph), or the title's number."""
    value = meta.first("文号", "发文字号", "备注/文号")
    if value and (match := _NUMBER.search(value)):
        return re.sub(r"\s+", "", match.group(0))
    for i, line in enumerate(lines):
        if is_paragraph(line.simple) and not is_metadata_row(line.simple):
            break
        compact = re.sub(r"\s+", "", line.simple)
        if compact.endswith("令") and i + 1 < len(lines) and re.fullmatch(r"第\d+号", re.sub(r"\s+", "", lines[i + 1].simple)):
            compact += re.sub(r"\s+", "", lines[i + 1].simple)  # 中华人民共和国国务院令 / 第227号
        match = _NUMBER.match(re.sub(r"^中华人民共和国", "", compact))
        if match and not line.kind:
            return match.group(0)
    match = _NUMBER_IN_TAIL.search(re.sub(r"\s+", "", title))
    return match.group(0) if match else ""


_ADDRESSEES = re.compile(r"^(?P<to>[^。:：]{2,150}?(?:各[^。:：]{0,150}?|人民政府|有关单位|成员单位|朋友|市民|群众|同志们?))[:：]")


def find_addressees(lines: list[PageLine], start: int) -> tuple[int, str] | None:
    """The addressees (主送机关) in the first lines of the document: (line number, text), or None.

    "各县(市)、区人民政府,市政府各部门:" — the bodies addressed, which are never the issuer.
    """
    for line in lines[start : start + 6]:
        match = _ADDRESSEES.match(line.simple)
        if match and not line.kind:
            return line.n, match["to"]
    return None


# ---- signature ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """The signature block: the issuing bodies as signed, its date (成文日期) and its lines."""

    issuers: tuple[str, ...]
    day: date | None
    first: int  # line number where it starts
    last: int  # line number of its date
    signatory: str = ""  # 总理李鹏, 市长: a person signing for the issuer


_SIGNATORY = re.compile(r"^(?P<body>.*?)(?P<title>总理|副总理|部长|主席|代主席|省长|市长|县长|区长|主任|书记|局长|署长|指挥长)\s*(?P<name>[\u4e00-\u9fff]{0,4})$")
_DATEISH = re.compile(r"^(?:19|20)\d{5,6}$")  # a date with its separators lost: 2020126
_CLOSING = re.compile(r"^(?:特此|此令|此复|此布|现予公布)")


def _signature_lines(lines: list[PageLine], at: int) -> tuple[list[str], str, int]:
    """The bodies signed above ``lines[at]`` (bottom-up, joining names wrapped over two lines)."""
    bodies: list[str] = []
    signatory = ""
    first = lines[at].n
    j = at - 1
    while j >= 0 and at - j <= 4:
        text = clean_issuer(lines[j].simple)
        if lines[j].kind or not text or len(text) > 40 or re.search(r"[。,，;；:：!?！？]", text) or _CLOSING.match(text):
            break
        person = _SIGNATORY.match(text)
        if is_body(text):
            bodies.insert(0, text)
        elif person and not bodies and not signatory:
            signatory = text
            if person["body"] and is_body(person["body"]):
                bodies.insert(0, person["body"])
        elif bodies and is_body(text + bodies[0]) and not is_body(text):
            bodies[0] = text + bodies[0]
        else:
            break
        first = lines[j].n
        j -= 1
    return bodies, signatory, first


_INLINE = re.compile(
    r"(?:^|[。.!！]|特此通告|特此公告|此令)\s*(?:[(（]?此件[^)）]{0,6}[)）]?)?\s*(?P<body>[^\s。.!！,，;；:：“”《》]{3,40}?(?:"
    + BODY_SUFFIX.pattern[3:-2]
    + r"))\s*(?P<date>"
    + FULL_DATE.pattern
    + ")"
)


def find_signature(lines: list[PageLine], start: int, skip: frozenset[int] = frozenset()) -> Signature | None:
    """The first signature block at or after ``lines[start]``.

    A line holding only a date (in Arabic or Chinese numerals) under the signing bodies, a
    body and its date on one line, or both glued after the text's last sentence ("…认真组织实施.
    国务院办公厅2019年6月24日…"). A date line under running text is a signature date without a signature.
    """
    for i in range(start, len(lines)):
        line = lines[i]
        if line.kind or line.n in skip:
            continue
        compact = re.sub(r"\s+", "", line.simple)
        day = date_only(line.simple)
        if day is not None or _DATEISH.match(compact):
            bodies, signatory, first = _signature_lines(lines, i)
            under_text = i > 0 and is_paragraph(lines[i - 1].simple)
            if bodies or signatory or (day is not None and under_text):
                return Signature(tuple(bodies), day, first, line.n, signatory)
        match = _INLINE.search(line.simple)
        if match:
            found = find_full_date(match["date"])
            return Signature((clean_issuer(match["body"]),), found[0] if found else None, line.n, line.n)
    return None


# ---- work reports ---------------------------------------------------------------------------

_ON_BEHALF = re.compile(r"我代表(?P<body>[\u4e00-\u9fff]{0,12}?人民政府|国务院)")


def report_issuer(lines: list[PageLine]) -> tuple[str, date | None, int | None]:
    """A work report's issuer, its date and the session line's number, from the session line
    ("——2016年1月6日在马鞍山市第十五届人民代表大会…" → 马鞍山市人民政府) or "我代表南开区人民政府"."""
    day, place, at = None, "", None
    for line in lines[:30]:
        session = session_line(line.simple)
        if session:
            day, place, at = session.day, session.place, line.n
            break
    for line in lines[:40]:
        match = _ON_BEHALF.search(line.simple)
        if match and (place_of(match["body"]) or match["body"] == "国务院"):
            return match["body"], day, at
    return (place + "人民政府" if place else ""), day, at
