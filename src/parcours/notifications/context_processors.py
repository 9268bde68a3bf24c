from . import unread as counts


def unread(request):
    """The number of notifications not yet marked as done, for the header (compiled once: unread.py)."""
    membership = getattr(request, "membership", None)
    if membership is None or getattr(request, "second_factor_pending", False):
        return {}
    return {"notifications_unread": counts.count(membership)}
