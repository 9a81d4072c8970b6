"""Check digits of the two numbers a seller types to be verified, so typos are caught at once."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_code(value: str) -> str:
    return "".join(value.split()).upper()


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """A mainland resident ID number (GB 11643): 17 digits, a check character, a real birthday."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise ValidationError(
            _("An ID card number has 18 characters: 17 digits and a final digit or X."),
            code="id_shape",
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or not date(1900, 1, 1) <= born <= date.today():
        raise ValidationError(
            _("The birth date inside this ID card number is not a real date; please check it."),
            code="id_birthday",
        )
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID card number has a typo: its last character does not match the others."),
            code="id_check",
        )


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_licence_number(value: str) -> None:
    """A unified social credit code (GB 32100), the number on every business licence."""
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        raise ValidationError(
            _(
                "A business licence number (unified social credit code) has 18 characters: "
                "digits and capital letters other than I, O, S, V and Z."
            ),
            code="uscc_shape",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This licence number has a typo: its last character does not match the others."),
            code="uscc_check",
        )
