"""The words of a proposal: jieba cuts the Chinese text into words (offline, from the
dictionary the package ships), and each word gets a weight in the proposal.

jieba is loaded once per process, on first use (about a second to read its dictionary), and
quietly: its logger would print "Building prefix dict…" on every worker's start.

A word's weight in a proposal is BM25's term-frequency part, ``tf·(k1+1) / (tf + k1·(1-b+b·dl/L))``,
with the length ``L`` of a typical proposal fixed (``TYPICAL_LENGTH``) instead of the
council's average: the weight then depends on the proposal alone, and a write rewrites only
its own rows. Words of the title count ``TITLE_BOOST`` times: a title names the matter in a
few words, where the reasons and suggestions repeat the council's stock phrases.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter

K1 = 1.2
B = 0.75
TYPICAL_LENGTH = 120  # words (after stop words) of a proposal's title, reasons and suggestions
TITLE_BOOST = 3
MAX_TERMS = 120  # the heaviest words of one proposal that are indexed
MAX_TERM_LENGTH = 30  # a ProposalTerm.term column's width

# Words that say nothing of a proposal's matter: function words and the stock phrases of
# every proposal (关于…的提案, 建议, 加强, 推进, 我区 …). Words every proposal of a council
# uses weigh little anyway (idf); leaving these out keeps the index and the queries small.
STOP_WORDS = frozenset(
    ["关于", "提案", "建议", "议案", "问题", "工作", "方面", "有关", "相关", "进一步", "加强", "加快", "推进", "推动", "提升", "提高", "完善", "健全", "做好", "切实", "积极", "不断", "持续", "全面", "深入", "有效", "充分", "明显", "各类", "一些", "一定", "部分", "存在", "目前", "当前", "现在", "今后", "近年来", "近年", "以来", "同时", "以及", "并且", "而且", "但是", "然而", "因此", "所以", "如果", "虽然", "由于", "通过", "进行", "开展", "实施", "落实", "情况", "方式", "措施", "办法", "意见", "我们", "他们", "你们", "这些", "那些", "这个", "那个", "其中", "还是", "或者", "没有", "可以", "能够", "应当", "应该", "需要", "必须", "已经", "正在", "将会", "目的", "主要", "重要", "重点", "一是", "二是", "三是", "四是", "五是", "六是", "我区", "我市", "我省", "我县", "本区", "本市", "全区", "全市", "全省", "全县", "区委", "区政府", "市委", "市政府", "政府", "部门", "有关部门", "相关部门", "单位", "群众", "委员", "政协", "调研", "了解", "反映", "较多", "不够", "不足", "不到位", "一步", "形成", "建立", "机制", "体系", "水平", "能力", "服务", "管理", "建设", "发展", "支持", "保障", "作用", "工作者", "方案", "计划", "要求", "规定", "政策"]
)

_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z0-9]+|\d+[A-Za-z]+")
_lock = threading.Lock()
_tokenizer = None


def _jieba():
    """jieba's tokenizer, loaded once per process."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def words(text: str) -> list[str]:
    """The words of ``text`` that may say what it is about, in order: jieba's search mode
    (a long word and the shorter words in it: 老旧小区 → 老旧, 小区, 老旧小区), Chinese words of
    two characters or more and Latin words, lower-cased, stop words left out."""
    if not text:
        return []
    found = []
    for token in _jieba().cut_for_search(text):
        token = token.strip().lower()
        if len(token) > MAX_TERM_LENGTH or token in STOP_WORDS or not _WORD.fullmatch(token):
            continue
        found.append(token)
    return found


def weights(title: str, body: str) -> dict[str, float]:
    """Each indexed word of a proposal and its weight (the heaviest ``MAX_TERMS``)."""
    counts = Counter(words(title))
    for word in counts:
        counts[word] *= TITLE_BOOST
    counts.update(words(body))
    length = sum(counts.values())
    if not length:
        return {}
    norm = K1 * (1 - B + B * length / TYPICAL_LENGTH)
    scored = {word: tf * (K1 + 1) / (tf + norm) for word, tf in counts.items()}
    heaviest = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]
    return dict(heaviest)


def query_weights(title: str, body: str) -> dict[str, float]:
    """The words of a text being written or read, weighted like a proposal's."""
    return weights(title, body)
