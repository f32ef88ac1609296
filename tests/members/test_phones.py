import pytest
from django.core.exceptions import ValidationError

from members.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("＋８６　１３８１２３４５６７８", "13812345678"),  # full-width plus and ideographic space
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0464-1234567", "04641234567"),
        ("(0464)1234567", "04641234567"),
        ("（0464）1234567", "04641234567"),  # full-width brackets
        ("010-12345678", "01012345678"),
        ("0464 12345678", "046412345678"),
        ("0464－1234567", "04641234567"),  # full-width hyphen
        ("0464—1234567", "04641234567"),  # em dash
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_normalize_phone_accepts(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # no such mobile prefix
        "23812345678",
        "1234567",  # a local number without its area code
        "0464-123456",  # local number too short
        "021-1234567",  # Shanghai numbers have eight digits
        "0464-123456789",  # too long
        "138abc45678",
        "电话13812345678",
        "+1 415 555 0100",
        "13812345678 转 123",
    ],
)
def test_normalize_phone_refuses(raw):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    assert caught.value.code == "invalid_phone"
    assert raw in caught.value.messages[0]

