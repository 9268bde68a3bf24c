"""Signals other apps listen to, so that pathway need not know them (apps are layered: parcours.followup
builds on parcours.pathway, not the reverse).

`request_validated(request=PathwayRequest, by=Membership)` is sent inside the transaction of
`transitions.validate_request`: a receiver's change commits or rolls back with the validation.
"""

from django.dispatch import Signal

request_validated = Signal()
