"""Money rules of tuition written once: the schedule of a payment plan, the
payer shares of an instalment and a rescheduled remainder all split a total
with them."""


def split_total(total, shares, currency, base=100.0):
    """Split ``total`` into one amount per share of ``shares`` (each share
    out of ``base``: percentages by default): every amount rounded with
    ``currency``, the last one absorbing the rounding so that the amounts
    always add up to ``total`` rounded.

    :param float total: the amount to split (zero and negative amounts too)
    :param shares: the shares, in order (the last one takes the remainder)
    :param currency: a ``res.currency`` record (its ``round``)
    :param float base: what the shares are out of
    :return: a list of amounts, as long as ``shares``
    """
    shares = list(shares)
    total = currency.round(total)
    amounts = []
    allocated = 0.0
    for index, share in enumerate(shares):
        if index == len(shares) - 1:
            amount = currency.round(total - allocated)
        else:
            amount = currency.round(total * share / base)
            allocated += amount
        amounts.append(amount)
    return amounts
