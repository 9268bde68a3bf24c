from .models import Membership

SESSION_KEY = "membership_id"


class MembershipMiddleware:
    """Attach the membership the user acts under (her first active one unless she chose another)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user, is_active=True).select_related(
                "organisation", "organisation__departement"
            )
            chosen = request.session.get(SESSION_KEY)
            request.membership = (chosen and memberships.filter(pk=chosen).first()) or memberships.order_by(
                "pk"
            ).first()
        return self.get_response(request)
