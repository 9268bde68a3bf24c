"""The directory: shared by the associations of a département (read by every member, edited by the staff),
closed to another département (404), names unique per type, each change journaled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core.errors import DomainError
from parcours.directory import services
from parcours.directory.models import DirectoryEntry

from ..factories import MembershipFactory, OrganisationFactory, departement


@pytest.mark.django_db
def test_an_entry_is_shared_by_the_associations_of_the_departement(client, personas):
    entry = services.create_entry(personas.worker, kind="temp_agency", name="Intérim Démo-Sud", town="Nîmes")
    neighbour = MembershipFactory(organisation=OrganisationFactory(name="Voisine fictive"), role="volunteer")
    far = MembershipFactory(
        organisation=OrganisationFactory(departement=departement("13")), role="head_of_service"
    )
    assert list(DirectoryEntry.objects.visible_to(neighbour)) == [entry]
    assert list(DirectoryEntry.objects.visible_to(far)) == []
    assert AccessLog.objects.filter(event="directory_entry.create", object_id=str(entry.pk)).count() == 1
    client.force_login(neighbour.user)
    assert "Intérim Démo-Sud" in client.get(reverse("directory:list")).content.decode()
    client.force_login(far.user)
    assert "Intérim Démo-Sud" not in client.get(reverse("directory:list")).content.decode()
    assert client.get(reverse("directory:edit", args=[entry.pk])).status_code == 404
    with pytest.raises(DomainError) as refused:
        services.update_entry(entry, far, kind="temp_agency", name="Autre nom")
    assert refused.value.message == "Cette fiche appartient à l'annuaire d'un autre département."


@pytest.mark.django_db
def test_a_name_is_unique_per_type_in_the_departement_and_the_form_keeps_the_input(client, personas):
    services.create_entry(personas.worker, kind="training", name="Formation Démo-Nîmes")
    with pytest.raises(DomainError) as refused:
        services.create_entry(personas.head, kind="training", name="formation démo-nîmes")
    assert refused.value.message == "L'annuaire du département contient déjà « formation démo-nîmes »."
    client.force_login(personas.worker.user)
    response = client.post(reverse("directory:create"), {"kind": "training", "name": "Formation Démo-Nîmes"})
    assert response.status_code == 400 and "contient déjà" in response.content.decode()
    response = client.post(reverse("directory:create"), {"kind": "housing", "name": "Hébergement Démo"})
    assert response.status_code == 302 and DirectoryEntry.objects.count() == 2
