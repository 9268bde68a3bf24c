"""Every page of every role's journey, checked in a real browser (issue 8).

Each demo role (worker, head of service, volunteer, intern, secretariat, commission member, préfecture agent,
national administration, partner counsellor) logs in once through the login form and visits the pages of its
menu and one object page of each kind (a person's page and its sections, a request, a session, the decisions,
the to-do list, the statistics, the journal…). On every page:

- axe-core (from the npm registry, pinned in tests/e2e/js/package-lock.json, installed by .ci/run) finds no
  serious or critical violation;
- at 1280 px every table shows all its columns;
- at 1280 px and at 375 px, nothing is wider than the viewport (document.scrollingElement.scrollWidth <=
  innerWidth), and no table has columns out of view unless it sits in a focusable scroll container with an
  accessible name (the DSFR `fr-table__container`, tabindex="0", role="region", aria-label): a keyboard user
  can then scroll it, and axe's `scrollable-region-focusable` holds;
- at 1280 px, « Se déconnecter » lies inside the viewport (a long name of user and organisation pushed it out
  for the secretariat and the commission member).

The oracle is the rendered page measured by the browser and axe-core's rules, not the templates. Before the
fix (main at 2978c92) this module found, among others: the caseload, the documents, the actions, the
appointments, the rights, the statistics and the journal tables scrollable without a focusable container
(axe `scrollable-region-focusable`, serious), and the header of the secretariat and the commission member
wider than 1280 px.

All problems of all pages are collected and reported together, so that one run gives the whole list.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from parcours.accounts.models import Invitation
from parcours.core import clock
from parcours.directory import services as directory
from parcours.employment import services as employment
from parcours.followup import meetings
from parcours.followup import services as followup
from parcours.funding import services as funding
from parcours.notifications import services as notifications
from parcours.notifications.models import Notification
from parcours.onboarding import services as onboarding
from parcours.pathway import commission as commission_body
from parcours.people import services as people
from parcours.records import samples
from parcours.records import services as records
from parcours.transfers import services as transfers
from parcours.workshops import services as workshops

from ..conftest import request_in_state
from ..factories import MembershipFactory, OrganisationFactory
from ..tools import skip_or_fail
from .test_request_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

JS = Path(__file__).parent / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
CHECKS = JS / "page_checks.js"  # the measures taken in each page
WIDTHS = (1280, 375)
BLOCKING = {"serious", "critical"}


def build_world(personas):
    """A small realistic dataset through the services: the demo's long names of people and organisations, a
    person followed for months (authorised pathway, interviews, actions, appointments, a referral, a
    document, two versions of her life story, rights), a draft to validate, a request waiting for the
    commission and one waiting for the préfet's decision."""
    personas.association.name = "Association Horizon Fictif"
    personas.association.save()
    personas.commission.name = "Commission départementale du Gard (démonstration)"
    personas.commission.save()
    personas.prefecture.name = "Préfecture du Gard (démonstration)"
    personas.prefecture.save()
    names = {
        "worker": ("Maëlle", "Démo-Travailleuse"),
        "head": ("Bérangère", "Démo-Cheffe-de-service"),
        "secretariat": ("Orlyssa", "Démo-Secrétariat"),
        "member": ("Kerbelle", "Démo-Membre"),
        "agent": ("Fulgence", "Démo-Préfecture"),
        "national": ("Ambroisine", "Démo-Nationale"),
        "volunteer": ("Clothaire", "Démo-Bénévole"),
        "intern": ("Zaliki", "Démo-Stagiaire"),
    }
    for persona, (first, last) in names.items():
        user = getattr(personas, persona).user
        user.first_name, user.last_name = first, last
        user.save()
    worker = personas.worker

    with clock.travel_to(dt.date(2025, 1, 6)):
        followed = personas.person(first_name="Chiamaka", last_name="Démo-Okonkwo", referent=worker.user)
    authorised = request_in_state(personas, "authorised", person=followed)
    with clock.travel_to(dt.date(2025, 3, 3)):
        people.add_other_name(followed, worker, "Chiamaka Démo-Okonkwo-Adebayo")
        note = followup.add_note(followed, worker, domain="health", held_on=dt.date(2025, 3, 3),
                                 text="Entretien fictif de suivi.", sensitive=False)  # fmt: skip
        action = followup.add_action(
            followed, worker, domain="employment", description="Atelier fictif de recherche d'emploi et de CV"
        )
        followup.add_action(followed, worker, domain="housing", description="Demande fictive de logement")
        followup.schedule_appointment(
            followed, worker, worker=worker.user, purpose="employment",
            starts_at=dt.datetime(2025, 3, 10, 14, tzinfo=clock.PARIS),
            ends_at=dt.datetime(2025, 3, 10, 15, tzinfo=clock.PARIS),
        )  # fmt: skip
        partner = OrganisationFactory(kind="partner", name="France Travail (fictif)", departement=None)
        people.record_consent(
            followed, worker, purpose="sharing", partner=partner, given_on=dt.date(2025, 3, 3),
            scopes=["identity_contact", "administrative", "employment", "appointments"],
        )  # fmt: skip
        referral = followup.refer(followed, worker, reason="Inscription fictive à un accompagnement renforcé",
                                  domain="employment", referred_on=dt.date(2025, 3, 3), partner=partner,
                                  oral_agreement=True)  # fmt: skip
        upload = SimpleUploadedFile("attestation-hebergement.pdf", samples.pdf("Attestation fictive"),
                                    "application/pdf")  # fmt: skip
        records.add_document(followed, worker, kind="certificate", upload=upload)
        records.save_life_story(followed, worker, "Récit fictif, première version.", based_on=0)
        records.save_life_story(followed, worker, "Récit fictif, seconde version plus longue.", based_on=1)
    MembershipFactory(
        organisation=partner, role="partner_counsellor",
        user__username="partenaire", user__first_name="Sorbane", user__last_name="Démo-Partenaire",
    )  # fmt: skip
    # A file asked to move to another association of the Gard, waiting for its head of service.
    receiver = OrganisationFactory(name="Association Nouvel Élan Fictif")
    MembershipFactory(
        organisation=receiver, role="head_of_service",
        user__username="cheffe-accueil", user__first_name="Ombeline", user__last_name="Démo-Accueil",
    )  # fmt: skip
    leaving = personas.person(first_name="Transferina", last_name="Démo-Voyageuse", referent=worker.user)
    transfer = transfers.request_transfer(
        leaving, worker, to_association=receiver, consent_given_on=clock.today(), consent_method="written",
        message="Message fictif : elle souhaite un suivi plus près de son nouveau logement.",
    )  # fmt: skip
    # Her inbox as the daily pass fills it (parcours.notifications), one of them already done.
    with clock.travel_to(dt.date(2025, 5, 12)):
        notifications.daily_pass()
        done = Notification.objects.filter(recipient=worker.user).first()
        if done is not None:
            notifications.mark_done(worker, done.pk)
    draft = request_in_state(personas, "draft")
    submitted = request_in_state(personas, "submitted")
    avis_given = request_in_state(personas, "avis_given")
    # The commission's composition (decision 0039), recorded after the session's avis: its pages show it.
    seats = [
        commission_body.appoint_member(personas.secretariat, commission_body.MemberData(
            college=college, name=name, function=function, appointed_on=dt.date(2024, 1, 1),
            substitute_name=substitute, association=association,
        ))
        for college, name, function, substitute, association in (
            ("state", "Aubrelin Démo-Préfet", "Sous-préfet fictif, président", "Célestor Démo-Adjoint", None),
            ("associations", "Opaline Démo-Horizon", "Représentante fictive", "", personas.association),
        )
    ]  # fmt: skip
    # A workshop series with the followed person enrolled (one session held, one to come), a team meeting with
    # her on its agenda, and the intern's internship (issue 11).
    today = clock.today()
    series = workshops.create_series(
        worker, topic="money", label="Rapport à l'argent", starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=60), external_facilitator="Point conseil budget fictif",
    )  # fmt: skip
    morning = {"starts_at": dt.time(9, 30), "ends_at": dt.time(11, 30)}
    held = workshops.add_session(series, worker, date=today - dt.timedelta(days=7), **morning)
    coming = workshops.add_session(series, worker, date=today + dt.timedelta(days=7), **morning)
    workshops.enrol(series, worker, followed)
    workshops.record_attendance(held, worker, {followed.pk: "present"})
    meeting = meetings.create_meeting(personas.head, today - dt.timedelta(days=1))
    meeting_item = meetings.add_to_agenda(meeting, worker, followed)
    onboarding.set_intern_profile(personas.head, personas.intern, school="École de travail social (fictive)",
                                  tutor=worker, starts_on=today - dt.timedelta(days=30),
                                  ends_on=today + dt.timedelta(days=90))  # fmt: skip
    # A directory entry, a programme with a job-dating where the followed person was hired at once, an
    # agreement and her professional project (issue 12).
    entry = directory.create_entry(worker, kind="temp_agency", name="Intérim Démo-Sud", town="Nîmes")
    programme = employment.create_programme(worker, name="Pour un nouveau départ", directory_entries=[entry])
    cohort = employment.create_cohort(
        programme, worker, label="Promotion 1", starts_on=today - dt.timedelta(days=14)
    )
    step = employment.add_step(cohort, worker, kind="job_dating", starts_on=today - dt.timedelta(days=7),
                               employers=[entry], interviews=4)  # fmt: skip
    employment.enrol(cohort, worker, followed)
    employment.set_step_status(step, worker, followed, "done")
    employment.record_outcome(step, worker, followed, kind="hired_at_once", on=today - dt.timedelta(days=7),
                              contract="temp_mission", weekly_hours=35)  # fmt: skip
    agreement = employment.create_agreement(
        worker, label="Accompagnement global", starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=335), support_months=12, partner_entry=entry,
    )  # fmt: skip
    employment.save_project(followed, worker, target_trades="Agente de propreté", french_level="A2",
                            readiness="ready")  # fmt: skip
    # A funder and its grant with a funded post and a charge (issue 12, parcours.funding).
    funder = funding.create_funder(personas.head, kind="agrasc", name="AGRASC (fictif)")
    grant = funding.create_grant(
        personas.head, funder=funder, label="Poste de conseillère en insertion (fictif)",
        starts_on=today - dt.timedelta(days=60), ends_on=today + dt.timedelta(days=300), amount=36000,
        purpose="Accompagnement vers l'emploi.", indicators=["people_followed", "workshop_sessions"],
    )  # fmt: skip
    post = funding.add_post(
        grant, personas.head, role="Conseillère en insertion professionnelle", sites="Nîmes", months=6,
        starts_on=grant.starts_on, ends_on=grant.starts_on + dt.timedelta(days=180),
    )  # fmt: skip
    charge = funding.add_charge(
        grant, personas.head, date=today - dt.timedelta(days=2), label="Loyer", amount=900
    )
    return {
        "entry": entry,
        "programme": programme,
        "cohort": cohort,
        "step": step,
        "agreement": agreement,
        "funder": funder,
        "grant": grant,
        "post": post,
        "charge": charge,
        "series": series,
        "held": held,
        "coming": coming,
        "meeting": meeting,
        "meeting_item": meeting_item,
        "intern": personas.intern,
        "seat": seats[0],
        "followed": followed,
        "authorised": authorised,
        "pathway": authorised.pathway,
        "note": note,
        "action": action,
        "referral": referral,
        "draft": draft,
        "submitted": submitted,
        "avis_given": avis_given,
        "session": avis_given.agenda_items.get().session,
        "association": personas.association,
        "commission": personas.commission,
        "worker": personas.worker,
        "invitation": Invitation.objects.create(
            email="demo-invitee@example.org", organisation=personas.association, role="volunteer",
            token_hash="b" * 64, created_at=clock.now(), expires_at=clock.now() + dt.timedelta(days=7),
        ),
        "transfer": transfer,
    }  # fmt: skip


def journeys(w):
    """URL of each page of each role's journey: its menu and one object page of each kind."""
    p = w["followed"].pk
    person_pages = [
        reverse("people:person", kwargs={"pk": p}),
        reverse("people:situation", kwargs={"pk": p}),
        reverse("people:situation_edit", kwargs={"pk": p}),
        reverse("people:consent_add", kwargs={"pk": p}),
        reverse("followup:notes", kwargs={"pk": p}),
        reverse("followup:note", kwargs={"pk": w["note"].pk}),
        reverse("followup:actions", kwargs={"pk": p}),
        reverse("followup:action", kwargs={"pk": w["action"].pk}),
        reverse("followup:appointments", kwargs={"pk": p}),
        reverse("followup:referrals", kwargs={"pk": p}),
        reverse("followup:referral", kwargs={"pk": w["referral"].pk}),
        reverse("records:documents", kwargs={"pk": p}),
        reverse("records:life_story", kwargs={"pk": p}),
        reverse("records:life_story_diff", kwargs={"pk": p}),
        reverse("records:life_story_version", kwargs={"pk": p, "number": 1}),
        reverse("rights:person", kwargs={"pk": p}),
        reverse("privacy:person", kwargs={"pk": p}),
        reverse("pathway:request", kwargs={"pk": w["authorised"].pk}),
        reverse("pathway:request_create", kwargs={"person_pk": p, "kind": "renewal"}),
        reverse("pathway:exit", kwargs={"pk": w["pathway"].pk}),
        reverse("transfers:create", kwargs={"pk": p}),
    ]
    association = [
        reverse("pathway:todo"),
        reverse("people:caseload"),
        reverse("people:person_create"),
        reverse("followup:agenda"),
        *person_pages,
        reverse("pathway:request", kwargs={"pk": w["draft"].pk}),
        reverse("pathway:request_edit", kwargs={"pk": w["draft"].pk}),
    ]
    account = [reverse("accounts:organisation"), reverse("accounts:security")]
    notification_pages = [
        reverse("notifications:inbox"),
        reverse("notifications:preferences"),
        reverse("notifications:calendar"),
    ]
    head_only = [reverse("statistics:dashboard"), reverse("audit:journal"), reverse("privacy:archives")]
    session_pages = [reverse("pathway:sessions"), reverse("pathway:session", kwargs={"pk": w["session"].pk})]
    commission_pages = [
        reverse("pathway:members"),
        reverse("pathway:member_end", kwargs={"pk": w["seat"].pk}),
        reverse("pathway:attendance", kwargs={"pk": w["session"].pk}),
        reverse("pathway:reconvene", kwargs={"pk": w["session"].pk}),
    ]
    association_admin = [
        reverse("onboarding:organisations"),
        reverse("onboarding:members", kwargs={"pk": w["association"].pk}),
        reverse("onboarding:organisation_edit", kwargs={"pk": w["association"].pk}),
        reverse("onboarding:invite", kwargs={"pk": w["association"].pk}),
        reverse("onboarding:membership", kwargs={"pk": w["worker"].pk}),
    ]
    series = w["series"].pk
    workshop_pages = [reverse("workshops:list"), reverse("workshops:series", kwargs={"pk": series})]
    workshop_staff = [
        *workshop_pages,
        reverse("workshops:series_create"),
        reverse("workshops:session_add", kwargs={"pk": series}),
        reverse("workshops:participants", kwargs={"pk": series}),
        reverse("workshops:attendance", kwargs={"pk": w["held"].pk}),
        reverse("workshops:session_cancel", kwargs={"pk": w["coming"].pk}),
        reverse("followup:meetings"),
        reverse("followup:meeting", kwargs={"pk": w["meeting"].pk}),
        reverse("followup:meeting_decision", kwargs={"pk": w["meeting_item"].pk}),
    ]
    employment_pages = [
        reverse("employment:index"),
        reverse("employment:programme_create"),
        reverse("employment:programme", kwargs={"pk": w["programme"].pk}),
        reverse("employment:cohort", kwargs={"pk": w["cohort"].pk}),
        reverse("employment:step", kwargs={"pk": w["step"].pk}),
        reverse("employment:person", kwargs={"pk": w["followed"].pk}),
        reverse("employment:agreement_create"),
        reverse("employment:agreement", kwargs={"pk": w["agreement"].pk}),
        reverse("directory:list"),
        reverse("directory:create"),
        reverse("directory:edit", kwargs={"pk": w["entry"].pk}),
    ]
    transfer = w["transfer"].pk
    transfer_pages = [reverse("transfers:list"), reverse("transfers:detail", kwargs={"pk": transfer})]
    return {
        "travailleuse": association
        + transfer_pages
        + [reverse("transfers:cancel", kwargs={"pk": transfer})]
        + account
        + notification_pages
        + workshop_staff
        + employment_pages,
        # The head of service of the receiving association: the summary without the name, and her answers.
        "cheffe-accueil": [
            reverse("pathway:todo"),
            *transfer_pages,
            reverse("transfers:accept", kwargs={"pk": transfer}),
            reverse("transfers:refuse", kwargs={"pk": transfer}),
        ],
        # The head of service sees the same sections as the worker, drawn by the same templates: besides her
        # menu, only the pages where her role changes what is drawn (erasure, validation, the person's page).
        "cheffe": [
            *association[:4],
            reverse("people:person", kwargs={"pk": p}),
            reverse("privacy:person", kwargs={"pk": p}),
            reverse("rights:person", kwargs={"pk": p}),
            reverse("pathway:request", kwargs={"pk": w["draft"].pk}),
            *head_only,
            *association_admin,
            reverse("papers:letterhead"),
            reverse("onboarding:membership", kwargs={"pk": w["intern"].pk}),  # the internship's form
            # The association's funding (parcours.funding): the head of service only.
            reverse("funding:home"),
            reverse("funding:funder_create"),
            reverse("funding:funder_edit", kwargs={"pk": w["funder"].pk}),
            reverse("funding:grant_create"),
            reverse("funding:grant", kwargs={"pk": w["grant"].pk}),
            reverse("funding:grant_edit", kwargs={"pk": w["grant"].pk}),
            reverse("funding:post_add", kwargs={"pk": w["grant"].pk}),
            reverse("funding:post_edit", kwargs={"pk": w["post"].pk}),
            reverse("funding:charge_add", kwargs={"pk": w["grant"].pk}),
            reverse("funding:charge_edit", kwargs={"pk": w["charge"].pk}),
        ],
        "benevole": [reverse("core:volunteer"), *account, *workshop_pages, reverse("directory:list")],
        "stagiaire": [reverse("core:volunteer"), reverse("accounts:organisation"), *workshop_pages],
        "partenaire": [reverse("sharing:people"), reverse("sharing:person", kwargs={"pk": p}), *account],
        "secretariat": [
            reverse("pathway:todo"),
            reverse("pathway:inbox"),
            *session_pages,
            *commission_pages,
            reverse("pathway:request", kwargs={"pk": w["submitted"].pk}),
            reverse("people:person", kwargs={"pk": w["submitted"].pathway.person_id}),
            reverse("statistics:dashboard"),
            reverse("onboarding:organisations"),
            reverse("onboarding:members", kwargs={"pk": w["commission"].pk}),
            *account,
            reverse("notifications:inbox"),
        ],
        "membre": [*session_pages, *account],
        "prefecture": [
            reverse("pathway:todo"),
            reverse("pathway:decisions"),
            reverse("pathway:request", kwargs={"pk": w["avis_given"].pk}),
            reverse("pathway:decide", kwargs={"pk": w["avis_given"].pk}),
            reverse("people:person", kwargs={"pk": w["avis_given"].pathway.person_id}),
            reverse("pathway:end_early", kwargs={"pk": w["pathway"].pk}),
            reverse("pathway:sessions"),
            reverse("statistics:dashboard"),
            reverse("papers:letterhead"),
            *account,
        ],
        "national": [
            reverse("statistics:dashboard"),
            reverse("audit:review"),
            *account,
            reverse("onboarding:organisation_create"),
            *association_admin,
        ],
    }


# The followed person's only period ended in August 2025: today she is not eligible to the AFIS, because she
# is not in an authorised pathway. The page must say which condition fails where the eye lands, not in a
# column out of view (it showed « Non éligible » and a table 1,700 px wider than its box at 1280 px).
AFIS_FAILING = "Être engagée dans un parcours de sortie autorisé"


def check_page(page, url) -> list[str]:
    problems = []
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{url} : réponse {response.status if response else 'absente'}"]
    for violation in page.evaluate("parcoursChecks.axe()"):
        if violation["impact"] in BLOCKING:
            targets = ", ".join(violation["targets"])
            problems.append(f"axe {violation['impact']} {violation['id']} : {targets}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # At 1280 px every table shows all its columns; at 375 px it may scroll in its focusable container.
        whole = width == WIDTHS[0]
        problems += [f"{width} px : {p}" for p in page.evaluate("(w) => parcoursChecks.measure(w)", whole)]
        if url.startswith("/droits/"):
            afis = page.evaluate("(label) => parcoursChecks.afisSaid(label)", AFIS_FAILING)
            if afis:
                problems.append(f"{width} px : {afis}")
        if width == 1280:
            logout = page.evaluate("parcoursChecks.logoutInView()")
            if logout:
                problems.append(f"{width} px : {logout}")
    return [f"{url} — {p}" for p in problems]


# The social worker's journey is the longest (about half of the pages): the two halves run as two tests, which
# the two CI workers can share (decision 0065).
WORKER_HALF = "travailleuse"


@pytest.mark.parametrize("half", [WORKER_HALF, "autres-roles"])
def test_every_page_of_every_role_passes_axe_and_fits_1280_and_375_px(browser, live_server, personas, half):
    if not AXE.exists():
        skip_or_fail(f"axe-core absent ({AXE}) : npm ci --prefix tests/e2e/js")
    axe_source = AXE.read_text()
    world = build_world(personas)
    every_journey = journeys(world)
    assert sum(len(urls) for urls in every_journey.values()) >= 60
    mine = {u: urls for u, urls in every_journey.items() if (u == WORKER_HALF) == (half == WORKER_HALF)}
    assert mine, half
    problems, visited = [], 0
    for username, urls in mine.items():
        context = browser.new_context(locale="fr-FR", base_url=live_server.url)
        context.set_default_timeout(10_000)
        # Injected by the browser before each page's own scripts, outside the page's CSP (a <script> tag
        # added to the page would rightly be refused by it).
        context.add_init_script(script=axe_source)
        context.add_init_script(path=CHECKS)
        page = context.new_page()
        log_in(page, username)
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
        for url in urls:
            problems += [f"[{username}] {p}" for p in check_page(page, url)]
            visited += 1
        context.close()
    assert not problems, f"{len(problems)} problème(s) sur {visited} pages :\n" + "\n".join(problems)
