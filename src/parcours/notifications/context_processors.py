from .models import Notification


def unread(request):
    """The number of notifications not yet marked as done, for the header."""
    membership = getattr(request, "membership", None)
    if membership is None or getattr(request, "second_factor_pending", False):
        return {}
    return {"notifications_unread": Notification.objects.for_membership(membership).unread().count()}
