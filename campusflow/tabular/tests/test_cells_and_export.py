"""The import/export framework on its own: cell rules (X-01) and formula-safe export (X-02, S-07)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from python_calamine import CalamineWorkbook

from campusflow.core.errors import ActionError
from campusflow.core.testing import valid_id_number
from campusflow.tabular.cells import CellInvalid, CellKind, Column, parse_cell
from campusflow.tabular.exporting import ExportColumn, xlsx_bytes
from campusflow.tabular.reading import find_header

CODE = Column("学号", "student_no", CellKind.CODE)
ID = Column("身份证号", "id_number", CellKind.ID_NUMBER)
PHONE = Column("手机号码", "phone", CellKind.MOBILE)
DAY = Column("出生日期", "birth_date", CellKind.DATE)
GENDER = Column("性别", "gender", CellKind.CHOICE, choices={"男": "M", "女": "F"})
GRADE = Column("年级", "grade", CellKind.INTEGER, min_value=1950, max_value=2100)
NAME = Column("姓名", "name", max_length=5)
LOST = "单元格被Excel存成了数字，已丢失精度，请将该列设为文本后重新填写"


def refused(column: Column, value: object) -> str:
    with pytest.raises(CellInvalid) as caught:
        parse_cell(column, value)
    return caught.value.message


@pytest.mark.spec("X-01")
def test_codes_keep_their_digits_or_are_refused_with_the_reason() -> None:
    assert parse_cell(CODE, 20230101.0) == "20230101"  # a whole number Excel turned into a float
    assert parse_cell(CODE, 20230101) == "20230101"
    assert parse_cell(CODE, " ２０２３ ０１０１ ") == "20230101"  # full-width digits, stray spaces
    assert parse_cell(CODE, "  ") is None
    assert refused(CODE, 4.10105e17) == LOST
    assert refused(CODE, "4.10105E+17") == LOST
    assert refused(CODE, 1e15) == LOST
    assert refused(CODE, 2023.5) == LOST


@pytest.mark.spec("X-01")
def test_id_numbers_phones_dates_choices_and_integers() -> None:
    number = valid_id_number()
    assert parse_cell(ID, number[:17] + number[17].lower()) == number.upper()
    assert parse_cell(ID, "　" + number + " ") == number
    assert refused(ID, 410105200105170012.0) == LOST
    assert "校验位" in refused(ID, number[:17] + ("1" if number[17] != "1" else "2"))
    assert parse_cell(PHONE, 13800138000.0) == "13800138000"
    assert parse_cell(PHONE, "+86 138-0013-8000") == "13800138000"
    assert "手机号码" in refused(PHONE, "12345")
    assert parse_cell(DAY, date(2001, 5, 17)) == date(2001, 5, 17)
    assert parse_cell(DAY, datetime(2001, 5, 17, 0, 0)) == date(2001, 5, 17)
    assert parse_cell(DAY, "2001/5/17") == parse_cell(DAY, "2001-05-17") == parse_cell(DAY, "2001年5月17日")
    assert "日期" in refused(DAY, "17.5.2001")
    assert "日期" in refused(DAY, 37028.0)  # a bare serial number is not guessed
    assert parse_cell(GENDER, " 女 ") == "F" and parse_cell(GENDER, "M") == "M"
    assert refused(GENDER, "未知") == "只能填写：男、女。"
    assert parse_cell(GRADE, 2023.0) == 2023 and parse_cell(GRADE, "２０２３") == 2023
    assert "不能大于" in refused(GRADE, 3000)
    assert parse_cell(NAME, "  李 四 ") == "李 四"
    assert "不能超过" in refused(NAME, "一二三四五六")


@pytest.mark.spec("X-01")
def test_header_row_is_found_below_a_title_and_aliases_match() -> None:
    rows: list[list[object]] = [["2024级学生名单", None], [None, None], ["学号*", "手机号"], ["2023", "13800138000"]]
    sheet = find_header(rows, [CODE, Column("手机号码", "phone", CellKind.MOBILE, aliases=("手机号",))])
    assert sheet.positions == {"student_no": 0, "phone": 1}
    assert sheet.rows == [(4, ["2023", "13800138000"])]  # Excel's row number
    with pytest.raises(ActionError, match="没有找到表头行"):
        find_header([["随便"], ["什么"]], [CODE])
    with pytest.raises(ActionError, match="重复的列：学号"):
        find_header([["学号", "学生学号"], ["1", "2"]], [Column("学号", "no", CellKind.CODE, aliases=("学生学号",))])


@pytest.mark.spec("X-02", "S-07")
def test_export_writes_formula_like_strings_as_text_and_keeps_types() -> None:
    dangerous = ["=1+1", '  =HYPERLINK("http://x")', "\t@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0", "@x"]
    rows = [{"text": text, "number": 7, "day": date(2024, 5, 1)} for text in dangerous]
    columns = [
        ExportColumn("文本", lambda r: r["text"]),
        ExportColumn("数字", lambda r: r["number"]),
        ExportColumn("日期", lambda r: r["day"]),
    ]
    data = xlsx_bytes(rows, columns, sheet_name="导出")
    lines = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert lines[0] == ["文本", "数字", "日期"]
    assert [line[0] for line in lines[1:]] == dangerous
    assert all(line[1] == 7 and line[2] == date(2024, 5, 1) for line in lines[1:])
    # No cell of the file is a formula.
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
