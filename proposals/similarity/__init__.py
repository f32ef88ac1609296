"""Similar proposals (并案, a matter raised and answered before): jieba's words of each
proposal, weighted, in a table kept on every write (``index``), and a BM25 search over it
(``search``) that the drafting forms and the review page ask."""

from proposals.similarity.index import rebuild, reindex
from proposals.similarity.search import LIMIT, similar_proposals

__all__ = ["LIMIT", "rebuild", "reindex", "similar_proposals"]
