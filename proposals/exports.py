"""Excel export of the proposal register (提案汇总表).

Written in openpyxl's write-only mode from a queryset iterator: rows go to a temporary file
as they are read, with the register's prefetches done per chunk, so a whole session's
register never sits in memory as model instances.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from members.exports import record_download
from members.xlsx import safe_row
from proposals.models import CoSigner, Proposal, Reply, State

CHUNK = 500


def register_headers() -> list[str]:
    return [
        _("Session"), _("Number"), _("Title"), _("Proposer(s)"), _("Category"), _("State"),
        _("Handling unit(s)"), _("Deadline"), _("Reply category"), _("Ratings"),
    ]


def proposers_text(proposal: Proposal) -> str:
    """The proposer, then the confirmed co-signers (uses the prefetched co-signers)."""
    names = [proposal.proposer_name]
    names += [c.member.name for c in proposal.cosigners.all() if c.state == CoSigner.State.CONFIRMED]
    return "、".join(n for n in names if n)


def units_text(proposal: Proposal) -> str:
    """Lead unit first, co-handling units after it (the prefetch orders them)."""
    return "、".join(a.unit.name for a in proposal.active_assignments)


def ratings_text(proposal: Proposal) -> str:
    """Ratings of the current handling round: "张委员：满意；李委员：基本满意"."""
    rows = [r for r in proposal.ratings.all() if r.round == proposal.round]
    return "；".join(
        f"{r.member.name if r.member_id else proposal.proposer_name}：{r.get_value_display()}"
        for r in rows
    )


def register_rows(queryset) -> Iterable[list]:
    replies = dict(Reply.Category.choices)
    for p in queryset.iterator(chunk_size=CHUNK):
        yield [
            p.session.name,
            p.display_number,
            p.title,
            proposers_text(p),
            p.category.name if p.category_id else "",
            str(State(p.state).label),
            units_text(p),
            p.deadline,
            str(replies.get(p.reply_category, "")) if p.reply_category else "",
            ratings_text(p),
        ]


def register_response(queryset) -> FileResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Proposal register"))
    bold = Font(bold=True)
    header = []
    for text in register_headers():
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for count, row in enumerate(register_rows(queryset), 1):  # noqa: B007 — the count is audited
        ws.append(safe_row(ws, row))
    out = tempfile.TemporaryFile()  # noqa: SIM115 — the response closes it
    wb.save(out)
    out.seek(0)
    filename = f"{_('Proposal register')}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    record_download(filename=filename, rows=count)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
