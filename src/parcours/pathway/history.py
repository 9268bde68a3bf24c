"""Earlier pathways of the same person elsewhere, found through the blind index (people.models.identity_index)
without revealing who she is: the commission learns only in which départements, and that it is to confirm
(the index is truncated, so two different people may share it)."""

from .models import Pathway


def departements_of_earlier_pathways(pathway: Pathway) -> list[str]:
    index = pathway.person.identity_index
    if not index:
        return []
    names = (
        Pathway.objects.filter(person__identity_index=index)
        .exclude(pk=pathway.pk)
        .exclude(departement_id=pathway.departement_id)
        .values_list("departement__name", "departement_id")
        .distinct()
    )
    return sorted(f"{name} ({code})" for name, code in names)
