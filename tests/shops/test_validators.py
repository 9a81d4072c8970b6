import pytest
from django.core.exceptions import ValidationError

from shops.validators import validate_id_number, validate_licence_number


@pytest.mark.parametrize("value", ["11010519491231002X", "350524197001011239"])
def test_real_format_id_numbers_pass(value):
    validate_id_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),
        ("110105194913310021", "id_birthday"),
        ("11010519491231002", "id_shape"),
        ("11010519491231002Y", "id_shape"),
    ],
)
def test_bad_id_numbers_name_the_problem(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(value)
    assert caught.value.code == code


@pytest.mark.parametrize("value", ["91350100M000100Y43", "93350524MA2Y0L0G1R"])
def test_real_format_licence_numbers_pass(value):
    validate_licence_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [("91350100M000100Y44", "uscc_check"), ("91350100M000100Y4", "uscc_shape")],
)
def test_bad_licence_numbers_name_the_problem(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_licence_number(value)
    assert caught.value.code == code
