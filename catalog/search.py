"""Search over the catalogue, in Chinese and English.

Chinese has no spaces, so the text is segmented with jieba before the database sees it; the
tokens are stored space-separated in ``Product.search_title`` and ``Product.search_body``
(``index_text``). Indexed text carries every dictionary word found anywhere in it (jieba's
search and full modes) and, for titles and tags, every single Chinese character, so that any
word of a query that occurs inside a title finds it: "茶叶" finds "西湖龙井茶叶" although jieba
reads that title as 西湖 / 龙井茶 / 叶.

Two backends behind one function, chosen by ``connection.vendor``:

- PostgreSQL: ``catalog_product.search_vector``, a stored generated tsvector over those columns
  (title weight A, description and tags weight B, ``english`` configuration so Latin words are
  stemmed), with a GIN index, both created by migration 0003 on PostgreSQL only. The column is
  not a model field, so ordinary queries never fetch it.
- SQLite (development, tests): every query token must occur in the search columns (``LIKE``),
  title matches first.
"""

import re
import threading
import unicodedata

import jieba
from django.db import connection
from django.db.models import Case, Expression, Q, QuerySet, Subquery, Value, When

from catalog.models import Product

# Descriptions may be 8,000 characters; the opening says what the product is, and a bounded
# vector keeps the index small and ranking cheap.
BODY_INDEXED_CHARS = 2000
QUERY_MAX_CHARS = 100

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ready = False
_lock = threading.Lock()


def _segmenter() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded once per process (about a second)."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(60)  # it logs the dictionary load at DEBUG/INFO
                jieba.initialize()
                _ready = True
    return jieba.dt


def load_dictionary() -> None:
    """Pay jieba's one-second dictionary load at start-up (``wsgi.py``), not in a request."""
    _segmenter()


def _normalise(text: str) -> str:
    # Full-width letters and digits become ASCII (NFKC); case is folded.
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_token(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _tokens(text: str, *, characters: bool) -> list[str]:
    """Words for the index: jieba's search mode (the reading plus shorter words inside long
    ones), then every other dictionary word found in the text (full mode), then, with
    ``characters``, each Chinese character on its own."""
    text = _normalise(text)
    if not text.strip():
        return []
    seg = _segmenter()
    words = [t.strip() for t in seg.cut_for_search(text)]
    words = [t for t in words if t and _is_token(t)]
    seen = set(words)
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}", text):
        for word in seg.cut(run, cut_all=True):
            if word not in seen and _is_token(word):
                seen.add(word)
                words.append(word)
    if characters:
        for ch in _CJK.findall(text):
            if ch not in seen:
                seen.add(ch)
                words.append(ch)
    return words


def index_text(*, title: str, description: str, tags: list[str]) -> dict[str, str]:
    """The values of ``Product.search_title`` and ``Product.search_body`` for these fields:
    lower-cased, space-separated tokens. Bulk loaders call this for every row."""
    tags_text = " ".join(str(tag) for tag in tags or [])
    body = _tokens((description or "")[:BODY_INDEXED_CHARS], characters=False)
    body += _tokens(tags_text, characters=True)
    return {
        "search_title": " ".join(_tokens(title, characters=True)),
        "search_body": " ".join(body),
    }


def query_tokens(query: str) -> list[str]:
    """A shopper's query as the words every match must contain: jieba's precise reading
    without guessing new words (so each word is a dictionary word or one character, which
    ``index_text`` stores wherever it occurs), Latin words as typed, lower-cased."""
    text = _normalise(query)[:QUERY_MAX_CHARS]
    tokens = []
    for token in _segmenter().cut(text, HMM=False):
        token = token.strip()
        if token and _is_token(token) and token not in tokens:
            tokens.append(token)
    return tokens


# --- the two backends -------------------------------------------------------------------------

# Ranked search scores only the newest matches: ranking every match of a word in half the
# catalogue costs seconds, and nobody pages past the first thousand results.
RANK_CANDIDATES = 1000
# ts_rank_cd weights for D, C, B, A: a title word counts well above a description word.
RANK_WEIGHTS = [0.05, 0.1, 0.3, 1.0]
SEARCH_CONFIG = "english"


class _SearchVector(Expression):
    """``catalog_product.search_vector``: a generated column on PostgreSQL that is not a model
    field (so no other query fetches it). Keeps its table alias inside subqueries."""

    def __init__(self, alias: str | None = None):
        super().__init__(output_field=_vector_field())
        self.alias = alias

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name(self.alias)}.search_vector", []


def _vector_field():
    from django.contrib.postgres.search import SearchVectorField

    return SearchVectorField()


def _crude_stem(token: str) -> str:
    """SQLite has no stemmer: "teas", "brewing", "brewed" look for "tea", "brew"."""
    if not token.isascii() or len(token) < 4:
        return token
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


def search_products(
    query: str,
    *,
    within: QuerySet | None = None,
    ranked: bool = True,
    candidates: int = RANK_CANDIDATES,
) -> QuerySet:
    """Published goods of visible stalls matching every word of ``query``.

    ``within`` narrows first (a queryset of ``Product``: the grid's filters). With ``ranked``
    the result is ordered by relevance (title above description and tags), ties newest first,
    and holds at most ``candidates`` goods (the newest matches); without, it is unordered
    and unbounded, for the caller to sort. A query with no words matches nothing.
    """
    base = (Product.objects.all() if within is None else within).published()
    tokens = query_tokens(query)
    if not tokens:
        return base.none()
    if connection.vendor == "postgresql":
        return _search_postgres(base, tokens, ranked=ranked, candidates=candidates)
    return _search_fallback(base, tokens, ranked=ranked, candidates=candidates)


def _search_postgres(base: QuerySet, tokens: list[str], *, ranked: bool, candidates: int):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # plainto_tsquery parses the space-separated words as to_tsvector did the indexed ones
    # (stemming Latin words, dropping English stop words) and requires all of them.
    tsquery = SearchQuery(" ".join(tokens), search_type="plain", config=SEARCH_CONFIG)
    matches = base.alias(search_vector=_SearchVector()).filter(search_vector=tsquery)
    if not ranked:
        return matches
    newest = matches.order_by("-published_at", "-pk").values("pk")[:candidates]
    return (
        Product.objects.filter(pk__in=Subquery(newest))
        .annotate(
            rank=SearchRank(_SearchVector(), tsquery, weights=RANK_WEIGHTS, cover_density=True)
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def _search_fallback(base: QuerySet, tokens: list[str], *, ranked: bool, candidates: int):
    words = [_crude_stem(token) for token in tokens]
    matches = base
    for word in words:
        matches = matches.filter(Q(search_title__contains=word) | Q(search_body__contains=word))
    if not ranked:
        return matches
    in_title = [
        Case(When(search_title__contains=word, then=Value(1)), default=Value(0)) for word in words
    ]
    newest = matches.order_by("-published_at", "-pk").values("pk")[:candidates]
    return (
        Product.objects.filter(pk__in=Subquery(newest))
        .annotate(rank=sum(in_title[1:], start=in_title[0]))
        .order_by("-rank", "-published_at", "-pk")
    )


def suggest(query: str) -> str:
    """ "Did you mean …?" for a query that found nothing: each word that no title has is
    replaced by the closest title word (trigram similarity over the ``catalog_search_word``
    vocabulary; PostgreSQL only, "" when nothing is close). Only for empty results."""
    tokens = query_tokens(query)
    if not tokens or connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.token, w.word FROM unnest(%s::text[]) AS t(token) "
            "CROSS JOIN LATERAL (SELECT word FROM catalog_search_word "
            "  WHERE word %% t.token ORDER BY word <-> t.token, products DESC LIMIT 1) AS w",
            [tokens],
        )
        closest = dict(cursor.fetchall())
    suggestion = " ".join(closest.get(token, token) for token in tokens)
    return "" if suggestion == " ".join(tokens) else suggestion


def search_words_refresh() -> None:
    """Rebuild the "did you mean" vocabulary from the published titles (a periodic task)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY catalog_search_word")
