import pytest

from wraparound.core import nhs_number


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        (" 9434765919 ", "9434765919"),
        (None, ""),
    ],
)
def test_normalise(raw, expected):
    assert nhs_number.normalise(raw) == expected


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_valid_numbers(number):
    assert nhs_number.is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",
        "943476591",
        "94347659190",
        "abcdefghij",
        "",
        "１２３４５６７８９０",
        "4010232138",
    ],
)
def test_invalid_numbers(number):
    assert not nhs_number.is_valid(number)


def test_check_digit_of_ten_means_no_valid_number():
    # 1*10+2*9+...+9*2 = 210, 210 % 11 = 1, 11 - 1 = 10: no digit makes this valid.
    assert nhs_number.check_digit("123456789") is None
    assert not any(nhs_number.is_valid(f"123456789{d}") for d in range(10))


def test_formatted():
    assert nhs_number.formatted("9434765919") == "943 476 5919"
