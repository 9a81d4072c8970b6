"""The smoothed (Bayesian) mean, used wherever ratings are ranked or scored.

A plain average lets one 5★ review beat a hundred 4.8★ ones. The smoothed mean adds
``PRIOR_WEIGHT`` imaginary reviews at ``PRIOR_MEAN`` to the real ones, so a few reviews move it
a little and many reviews move it all the way::

    smoothed = (PRIOR_MEAN · PRIOR_WEIGHT + sum of ratings) / (PRIOR_WEIGHT + count)
"""

from decimal import ROUND_HALF_UP, Decimal

PRIOR_MEAN = Decimal("3.5")
PRIOR_WEIGHT = 10


def bayesian_mean(*, total: int, count: int, prior_mean=PRIOR_MEAN, prior_weight=PRIOR_WEIGHT):
    """The smoothed mean of ``count`` ratings adding up to ``total``, to two places."""
    value = (Decimal(prior_mean) * prior_weight + Decimal(total)) / (prior_weight + count)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
