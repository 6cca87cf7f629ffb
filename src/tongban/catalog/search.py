"""Chinese full-text search over the catalog: jieba tokens into SQLite FTS5 or PostgreSQL.

Documents and queries are segmented with jieba (search mode for documents, so both 营业执照
and 执照 are indexed). Query words expand through the synonym list (社保 ⇄ 社会保险). The engine
is chosen by the database vendor: FTS5 with bm25 on SQLite, a weighted ``tsvector`` with a GIN
index and ``ts_rank`` on PostgreSQL. Title words weigh ten times body words.
"""

from __future__ import annotations

import difflib
import html
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jieba
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

DATA_DIR = Path(__file__).resolve().parent / "data"
_init_lock = threading.Lock()
_initialised = False
_WORD = re.compile(r"[\w\u3400-\u9fff]+", re.UNICODE)
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 8


def _ensure_jieba() -> None:
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(60)
        jieba.initialize()
        jieba.load_userdict(str(DATA_DIR / "userdict.txt"))
        for group in synonym_groups():
            for word in group:
                jieba.add_word(word, freq=100)
        _initialised = True


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in (DATA_DIR / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append(tuple(line.split()))
    return tuple(groups)


@cache
def _synonym_map() -> dict[str, tuple[str, ...]]:
    mapping: dict[str, tuple[str, ...]] = {}
    for group in synonym_groups():
        for word in group:
            mapping[word] = tuple(dict.fromkeys((word, *mapping.get(word, ()), *group)))
    return mapping


@cache
def _stopwords() -> frozenset[str]:
    return frozenset((DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").split())


def _clean_tokens(tokens: Iterable[str]) -> list[str]:
    out = []
    for token in tokens:
        token = token.strip().lower()
        if token and _WORD.fullmatch(token):
            out.append(token)
    return out


def document_tokens(*texts: str) -> str:
    """Index tokens of some texts, space separated (jieba search mode)."""
    _ensure_jieba()
    return " ".join(t for t in map(_text_tokens, texts) if t)


@lru_cache(maxsize=20000)
def _text_tokens(text: str) -> str:
    """Department, theme and base-item names repeat across thousands of items: cache them."""
    if not text:
        return ""
    return " ".join(_clean_tokens(jieba.cut_for_search(text)))


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    groups: tuple[tuple[str, ...], ...]  # AND of groups, OR inside a group (synonyms)

    @property
    def terms(self) -> list[str]:
        return [t for g in self.groups for t in g]


def parse_query(text: str) -> ParsedQuery:
    """Segment a query; drop stop words; expand synonyms. Bounded in length and terms."""
    _ensure_jieba()
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    words = _clean_tokens(jieba.cut(text))
    stop = _stopwords()
    synonyms = _synonym_map()
    groups: list[tuple[str, ...]] = []
    for word in words:
        if word in stop:
            continue
        group = synonyms.get(word, (word,))
        if group not in groups:
            groups.append(group)
    return ParsedQuery(text=text, groups=tuple(groups[:MAX_QUERY_TERMS]))


RESULT_COLUMNS = (
    "item_id",
    "implementation_code",
    "base_code",
    "name",
    "name_en",
    "department_id",
    "department_name",
    "department_name_en",
    "region_code",
    "item_type",
    "audience",
    "online_depth",
    "visits_needed",
)
_SELECT = ", ".join(f"e.{c}" for c in RESULT_COLUMNS)


def _filters_sql(filters: dict[str, object], alias: str) -> tuple[str, list[object]]:
    clauses, params = [], []
    if filters.get("audience"):
        clauses.append(f"{alias}.audience IN (%s, 'both')")
        params.append(filters["audience"])
    if filters.get("department_id"):
        clauses.append(f"{alias}.department_id = %s")
        params.append(filters["department_id"])
    if filters.get("item_type"):
        clauses.append(f"{alias}.item_type = %s")
        params.append(filters["item_type"])
    if filters.get("region_code"):
        clauses.append(f"{alias}.region_code LIKE %s")
        params.append(f"{filters['region_code']}%")
    if filters.get("theme"):
        clauses.append(f"(' ' || {alias}.theme_codes || ' ') LIKE %s")
        params.append(f"% {filters['theme']} %")
    return ("".join(f" AND {c}" for c in clauses), params)


def _tsquery_lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _fts5_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# Up to this many matches are ranked by relevance (bm25 / ts_rank). A query matching more
# (a word in thousands of items) is answered in two tiers instead — items with the words in
# their title first, then the others, each in catalog order — so its cost stays bounded, and
# its count is reported as "more than RANK_LIMIT".
RANK_LIMIT = 500


class _Engine(ABC):
    """The SQL of one database's full-text index, for three match kinds.

    ``all``: the words anywhere; ``title``: all the words in the title; ``rest``: ``all`` but
    not ``title``.
    """

    source = ""
    order_key = ""

    @abstractmethod
    def condition(self, kind: str) -> tuple[str, list[object]]:
        """The WHERE clause (and its parameters) selecting matches of ``kind``."""

    @abstractmethod
    def rank_sql(self) -> tuple[str, list[object]]:
        """The relevance expression (higher is better) and its parameters."""

    def count(self, cursor: object, kind: str, where: str, params: list[object]) -> int:
        cond, cond_params = self.condition(kind)
        cursor.execute(  # type: ignore[attr-defined]
            f"SELECT count(*) FROM (SELECT 1 FROM {self.source} WHERE {cond}{where} LIMIT %s) t",
            [*cond_params, *params, RANK_LIMIT],
        )
        return int(cursor.fetchone()[0])  # type: ignore[attr-defined]

    def counts(self, cursor: object, where: str, params: list[object]) -> tuple[int, int]:
        """(matches in titles, matches anywhere), each capped at RANK_LIMIT; titles first."""
        in_title = self.count(cursor, "title", where, params)
        if in_title >= RANK_LIMIT:
            return in_title, in_title
        return in_title, self.count(cursor, "all", where, params)

    def ordered(
        self, cursor: object, kind: str, where: str, params: list[object], limit: int, offset: int
    ) -> list[tuple[object, ...]]:
        cond, cond_params = self.condition(kind)
        cursor.execute(  # type: ignore[attr-defined]
            f"SELECT {_SELECT}, 0 FROM {self.source} WHERE {cond}{where} "
            f"ORDER BY {self.order_key} LIMIT %s OFFSET %s",
            [*cond_params, *params, limit, offset],
        )
        return list(cursor.fetchall())  # type: ignore[attr-defined]

    def ranked(
        self, cursor: object, where: str, params: list[object], limit: int, offset: int
    ) -> list[tuple[object, ...]]:
        cond, cond_params = self.condition("all")
        rank, rank_params = self.rank_sql()
        cursor.execute(  # type: ignore[attr-defined]
            f"SELECT {_SELECT}, {rank} AS rank FROM {self.source} WHERE {cond}{where} "
            f"ORDER BY rank DESC, {self.order_key} LIMIT %s OFFSET %s",
            [*rank_params, *cond_params, *params, limit, offset],
        )
        return list(cursor.fetchall())  # type: ignore[attr-defined]


class _Fts5(_Engine):
    source = "catalog_fts JOIN catalog_searchentry e ON e.item_id = catalog_fts.rowid"
    order_key = "catalog_fts.rowid"

    def __init__(self, query: ParsedQuery) -> None:
        self.match = " AND ".join(
            "(" + " OR ".join(_fts5_quote(t) for t in g) + ")" for g in query.groups
        )

    def condition(self, kind: str) -> tuple[str, list[object]]:
        expression = {
            "all": self.match,
            "title": f"{{title}} : ({self.match})",
            "rest": f"({self.match}) NOT ({{title}} : ({self.match}))",
        }[kind]
        return "catalog_fts MATCH %s", [expression]

    def rank_sql(self) -> tuple[str, list[object]]:
        return "-bm25(catalog_fts, 10.0, 1.0)", []


class _Postgres(_Engine):
    source = "catalog_searchentry e"
    order_key = "e.item_id"

    def __init__(self, query: ParsedQuery) -> None:
        # Lexemes are passed as a tsquery literal, not through a text-search parser, so
        # Chinese words match whatever the server's locale is.
        self.tsquery = " & ".join(
            "(" + " | ".join(_tsquery_lexeme(t) for t in g) + ")" for g in query.groups
        )

    def condition(self, kind: str) -> tuple[str, list[object]]:
        if kind == "all":
            return "e.tsv @@ %s::tsquery", [self.tsquery]
        if kind == "title":
            return "e.title_tsv @@ %s::tsquery", [self.tsquery]
        return "e.tsv @@ %s::tsquery AND NOT e.title_tsv @@ %s::tsquery", [
            self.tsquery,
            self.tsquery,
        ]

    def rank_sql(self) -> tuple[str, list[object]]:
        return (
            # Title relevance, then shorter (more specific) titles; ranking on the body too
            # would read every match's largest column for little gain.
            "ts_rank(e.title_tsv, %s::tsquery) - length(e.title_tokens) / 1000.0",
            [self.tsquery],
        )

    def counts(self, cursor: object, where: str, params: list[object]) -> tuple[int, int]:
        # One round trip: the body count (an InitPlan) only runs when the CASE reaches it.
        title, title_params = self.condition("title")
        anywhere, anywhere_params = self.condition("all")
        cursor.execute(  # type: ignore[attr-defined]
            f"SELECT t.n, CASE WHEN t.n >= %s THEN t.n ELSE (SELECT count(*) FROM (SELECT 1 "
            f"FROM {self.source} WHERE {anywhere}{where} LIMIT %s) a) END FROM (SELECT count(*) "
            f"AS n FROM (SELECT 1 FROM {self.source} WHERE {title}{where} LIMIT %s) t0) t",
            [RANK_LIMIT, *anywhere_params, *params, RANK_LIMIT, *title_params, *params, RANK_LIMIT],
        )
        in_title, total = cursor.fetchone()  # type: ignore[attr-defined]
        return int(in_title), int(total)


def search_rows(
    query: ParsedQuery, *, filters: dict[str, object], limit: int, offset: int
) -> tuple[list[dict[str, object]], int, bool]:
    """One page of matching search entries, the total, and whether the total is a lower bound.

    Answered from the search tables alone (no join to the catalog). Without words, entries are
    listed in code order.
    """
    where, params = _filters_sql(filters, "e")
    capped = False
    with connection.cursor() as cursor:
        if not query.groups:
            cursor.execute(f"SELECT count(*) FROM catalog_searchentry e WHERE 1=1{where}", params)
            total = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT {_SELECT}, 0 FROM catalog_searchentry e WHERE 1=1{where} "
                "ORDER BY e.base_code, e.implementation_code LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            raw = cursor.fetchall()
        else:
            engine = _Postgres(query) if connection.vendor == "postgresql" else _Fts5(query)
            # Titles first: when the words are in a thousand titles, the body index (far
            # larger posting lists) is never consulted.
            in_title, total = engine.counts(cursor, where, params)
            if total < RANK_LIMIT:
                raw = engine.ranked(cursor, where, params, limit, offset)
            else:
                capped = True
                raw = []
                if offset < in_title:
                    raw = engine.ordered(cursor, "title", where, params, limit, offset)
                if len(raw) < limit and in_title < RANK_LIMIT:
                    raw += engine.ordered(
                        cursor, "rest", where, params, limit - len(raw), max(0, offset - in_title)
                    )
    rows = [
        {**dict(zip(RESULT_COLUMNS, row[:-1], strict=True)), "rank": float(row[-1])} for row in raw
    ]
    return rows, total, capped


def index_write(entries: list[tuple[int, str, str]]) -> None:
    """Mirror (item id, title tokens, body tokens) into the engine's index."""
    if not entries:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE catalog_searchentry SET "
                "title_tsv = array_to_tsvector(array_remove("
                "string_to_array(title_tokens, ' '), '')), "
                "tsv = array_to_tsvector(array_remove(string_to_array("
                "title_tokens || ' ' || body_tokens, ' '), '')) WHERE item_id = ANY(%s)",
                [[item_id for item_id, _t, _b in entries]],
            )
            return
        cursor.executemany(
            "DELETE FROM catalog_fts WHERE rowid = %s", [(i,) for i, _t, _b in entries]
        )
        cursor.executemany(
            "INSERT INTO catalog_fts(rowid, title, body) VALUES (%s, %s, %s)", entries
        )


def index_delete(item_ids: list[int]) -> None:
    if connection.vendor == "sqlite" and item_ids:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM catalog_fts WHERE rowid = %s", [(i,) for i in item_ids])


def index_clear() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_fts")


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """HTML-escape ``text`` and wrap every occurrence of a term in <mark>."""
    escaped = html.escape(text or "")
    wanted = sorted({html.escape(t) for t in terms if t}, key=len, reverse=True)
    if not wanted:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    # Adjacent matches (营业 + 执照) become one mark.
    pattern = re.compile("(?:" + "|".join(re.escape(t) for t in wanted) + ")+", re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


def suggest(query: ParsedQuery, vocabulary: list[str], names: list[str]) -> str | None:
    """A "did you mean" for a query that found nothing: the closest known words or name."""
    if not query.text:
        return None
    known = set(vocabulary)
    replaced, changed = [], False
    for group in query.groups:
        word = group[0]
        if word in known:
            replaced.append(word)
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6)
        if close:
            replaced.append(close[0])
            changed = True
    if changed and replaced:
        return "".join(replaced) if all(_is_cjk(w) for w in replaced) else " ".join(replaced)
    close_names = difflib.get_close_matches(query.text, names, n=1, cutoff=0.5)
    return close_names[0] if close_names and close_names[0] != query.text else None


def _is_cjk(word: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" for c in word)
