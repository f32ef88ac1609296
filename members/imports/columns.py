"""The file format: the columns of each import, the limits, and the empty template."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from members.models import Member
from members.xlsx import keep_formulas_as_text

MAX_ROWS = 5000
# How far a sheet may reach, blank rows and columns included: room for MAX_ROWS rows between
# blank ones, and for the template's columns, the exports' and a few of staff's own.
MAX_SHEET_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 100
EXAMPLE_PREFIX = "示例"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    example: str = ""
    max_length: int | None = None

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


MEMBER_COLUMNS = (
    Column("name", "姓名", True, "示例：王晓明", 50),
    Column("phone", "手机号", True, "13800000000", 20),
    Column("gender", "性别", False, "男"),
    Column("sector", "界别", True, "经济界"),
    Column("committee", "专委会", False, "经济委"),
    Column("term", "届次", False, "第十届", 20),
    Column("unit", "工作单位", False, "新兴区某某有限公司", 100),
    Column("title", "职务", False, "总经理", 100),
    Column("zone", "责任区", True, "兴安街道", 200),
)

CONSTITUENT_COLUMNS = (
    Column("name", "姓名", True, "示例：李红", 50),
    Column("phone", "手机号", False, "13900000000", 20),
    Column("member", "联系委员", True, "王晓明"),
    Column("member_phone", "委员手机号", False, "13800000000"),
    Column("sector", "界别", False, "经济界"),
    Column("unit", "工作单位", False, "新兴区某某商店", 100),
    Column("occupation", "职业", False, "个体经营者", 50),
    Column("community", "社区", False, "兴安社区", 100),
    Column("tags", "标签", False, "个体工商户", 200),
    Column("notes", "备注", False, "", None),
)

GENDERS = {"男": Member.Gender.MALE, "女": Member.Gender.FEMALE}

# Columns the exports add after the template's: ignored on import, so that an exported
# file can be edited and imported again.
MEMBER_EXPORT_ONLY = ("状态", "联系群众数", "最近联系")
CONSTITUENT_EXPORT_ONLY = ("是否有效", "最近联系")



# ---------------------------------------------------------------- templates


def template_workbook(columns, *, sheet_title: str, sectors: list[str]) -> Workbook:
    """An empty import file: header row, one example row, and a drop-down of sector names."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append([c.title for c in columns])
    ws.append([c.example for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, len(column.example) * 2)
        # Phone numbers as text: Excel would otherwise turn them into 1.38E+10.
        if column.key.endswith("phone"):
            for row in range(2, 1002):
                ws.cell(row=row, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    if sectors:
        lists = wb.create_sheet("选项")
        for row, name in enumerate(sectors, start=1):
            lists.cell(row=row, column=1, value=name)
        lists.sheet_state = "hidden"
        sector_index = [c.key for c in columns].index("sector") + 1
        letter = get_column_letter(sector_index)
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(lists.title)}!$A$1:$A${len(sectors)}",
            allow_blank=True,
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    keep_formulas_as_text(wb)  # a sector named "=1+1" is a name, not a formula
    return wb
