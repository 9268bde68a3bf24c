"""Every indicator of the registry recomputed from the demo's rows (parcours.demo: data made through the
services) in plain Python over the model rows, without the module's queries, and compared atom by atom
((département, category, association) → count, or the durations of each cell) for every year the demo
covers. A new indicator in the registry fails `test_every_indicator_has_an_oracle` until it has one here."""

import calendar
import datetime as dt

import pytest

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.demo.generator import generate
from parcours.pathway.models import Avis, CommissionSession, Decision, Exit, Pathway, PathwayRequest, Period
from parcours.rights.models import AfisFile, ApsFile
from parcours.statistics import indicators

TODAY = dt.date(2026, 3, 16)
# The nationality groups written out for every code the demo uses (a new code fails the test).
GROUP = {"FR": "france", "RO": "eu", "BG": "eu", "ES": "eu", "IT": "eu", "PT": "eu", "NG": "africa",
         "CM": "africa", "CI": "africa", "MA": "africa", "DZ": "africa", "GH": "africa", "SN": "africa",
         "CN": "other", "BR": "other", "UA": "other", "CO": "other", "AL": "other", "VN": "other",
         "PE": "other", "AM": "other", "GE": "other", "": "unknown"}  # fmt: skip


def add(out, key, n=1):
    out[key] = out.get(key, 0) + n


def within(day, start, end):
    return day is not None and start <= day <= end


def band(born, on):
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((b for upper, b in ((18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44"))
                 if age < upper), "45_plus")  # fmt: skip


class Rows:
    """The raw rows, read once as plain objects."""

    def __init__(self):
        self.pathways = {p.pk: p for p in Pathway.objects.select_related("person")}
        self.requests = {r.pk: r for r in PathwayRequest.objects.all()}
        self.avis = list(Avis.objects.select_related("session"))
        self.decisions = list(Decision.objects.all())
        self.periods = list(Period.objects.all())
        self.exits = list(Exit.objects.all())
        self.afis = list(AfisFile.objects.select_related("person"))
        self.aps = list(ApsFile.objects.select_related("person"))

    def where(self, request_id):
        p = self.pathways[self.requests[request_id].pathway_id]
        return p.departement_id, p.association_id

    def running(self, day):
        on = {pe.pathway_id for pe in self.periods if pe.start <= day <= pe.end}
        return [p for pk, p in self.pathways.items() if pk in on and p.status != "exited"]


def by_request(rows, start, end, key):
    out = {}
    for r in rows.requests.values():
        if within(r.submitted_on, start, end):
            dep, assoc = rows.where(r.pk)
            add(out, (dep, key(r), assoc))
    return out


def requests(rows, start, end):
    return by_request(rows, start, end, lambda r: r.kind)


def avis(rows, start, end):
    out = {}
    for a in rows.avis:
        if within(a.session.date, start, end):
            dep, assoc = rows.where(a.request_id)
            add(out, (dep, a.kind, assoc))
    return out


def decisions(rows, start, end, entry_only=False):
    out = {}
    for d in rows.decisions:
        if within(d.decided_on, start, end) and (
            not entry_only or rows.requests[d.request_id].kind == "entry"
        ):
            dep, assoc = rows.where(d.request_id)
            add(out, (dep, d.kind, assoc))
    return out


def periods(rows, start, end, first):
    out = {}
    for pe in rows.periods:
        if (pe.number == 1) == first and within(pe.start, start, end):
            p = rows.pathways[pe.pathway_id]
            add(out, (p.departement_id, "total", p.association_id))
    return out


def exits(rows, start, end):
    out = {}
    for e in rows.exits:
        if within(e.date, start, end):
            p = rows.pathways[e.pathway_id]
            add(out, (p.departement_id, e.reason, p.association_id))
    return out


def exits_by(rows, start, end, category):
    out = {}
    for e in rows.exits:
        if within(e.date, start, end):
            p = rows.pathways[e.pathway_id]
            add(out, (p.departement_id, category(e), p.association_id))
    return out


def months_in_pathway(rows, e):
    """Whole months from the first period's first day to the exit, counted a month at a time."""
    first = [pe.start for pe in rows.periods if pe.pathway_id == e.pathway_id and pe.number == 1]
    if not first:
        return "none"
    months, day = 0, first[0]
    while True:
        year, month = divmod(day.month, 12)
        following = day.replace(year=day.year + year, month=month + 1, day=1)
        last = calendar.monthrange(following.year, following.month)[1]
        following = following.replace(day=min(first[0].day, last))
        if following > e.date:
            break
        months, day = months + 1, following
    return next((b for upper, b in ((6, "under_6"), (12, "6_12"), (18, "12_18"))
                 if months < upper), "18_24")  # fmt: skip


def stock(rows, end, category):
    out = {}
    for p in rows.running(end):
        add(out, (p.departement_id, category(p), p.association_id))
    return out


def afis(rows, start, end):
    people = {(f.person.departement_id, f.person.association_id, f.person_id) for f in rows.afis
              if f.first_payment_on is not None and f.first_payment_on <= end
              and (f.stopped_on is None or f.stopped_on >= start)}  # fmt: skip
    out = {}
    for dep, assoc, _pk in people:
        add(out, (dep, "total", assoc))
    return out


def aps(rows, start, end):
    out = {}
    for f in rows.aps:
        if within(f.issued_on, start, end):
            add(out, (f.person.departement_id, "total", f.person.association_id))
    return out


def delay_session(rows, start, end):
    last = {}
    for a in rows.avis:
        r = rows.requests[a.request_id]
        if within(a.session.date, start, end) and r.submitted_on is not None:
            last[r.pk] = max(last.get(r.pk, a.session.date), a.session.date)
    out = {}
    for pk, held in last.items():
        out.setdefault(rows.where(pk), []).append((held - rows.requests[pk].submitted_on).days)
    return {k: sorted(v) for k, v in out.items()}


def delay_decision(rows, start, end):
    out = {}
    for d in rows.decisions:
        held = [a.session.date for a in rows.avis if a.request_id == d.request_id]
        if within(d.decided_on, start, end) and held:
            out.setdefault(rows.where(d.request_id), []).append((d.decided_on - max(held)).days)
    return {k: sorted(v) for k, v in out.items()}


ORACLES = {
    "requests": requests,
    "avis": avis,
    "decisions": decisions,
    "first_decisions": lambda rows, s, e: decisions(rows, s, e, entry_only=True),
    "entries": lambda rows, s, e: periods(rows, s, e, first=True),
    "renewals": lambda rows, s, e: periods(rows, s, e, first=False),
    "exits": exits,
    "exit_housing": lambda rows, s, e: exits_by(rows, s, e, lambda x: x.housing),
    "exit_activity": lambda rows, s, e: exits_by(rows, s, e, lambda x: x.activity),
    "exit_duration": lambda rows, s, e: exits_by(rows, s, e, lambda x: months_in_pathway(rows, x)),
    "active": lambda rows, s, e: stock(rows, e, lambda p: "total"),
    "gender": lambda rows, s, e: stock(rows, e, lambda p: p.person.gender),
    "french_level": lambda rows, s, e: stock(rows, e, lambda p: p.person.french_level),
    "nationality": lambda rows, s, e: stock(rows, e, lambda p: GROUP[str(p.person.nationality)]),
    "age": lambda rows, s, e: stock(rows, e, lambda p: band(p.person.birth_date, e)),
    "afis": afis,
    "aps": aps,
    "delay_session": delay_session,
    "delay_decision": delay_decision,
}


def test_every_indicator_has_an_oracle():
    assert set(indicators.registry()) == set(ORACLES)


@pytest.mark.django_db
def test_every_indicator_matches_the_raw_rows_of_the_demo():
    with clock.travel_to(TODAY):
        assert generate()["anomalies"] == []
        rows = Rows()
        years = range(min(pe.start for pe in rows.periods).year - 1, TODAY.year + 1)
        seen = {code: 0 for code in ORACLES}
        periods = [(dt.date(year, 1, 1), min(dt.date(year, 12, 31), TODAY)) for year in years]
        # The indicators that also compute every year in one query (the national series): the same atoms.
        batched = {code: ind.batch(periods) for code, ind in indicators.registry().items() if ind.batch}
        assert {"active", "afis", "first_decisions"} <= set(batched)
        for i, (start, end) in enumerate(periods):
            for code, oracle in ORACLES.items():
                expected = oracle(rows, start, end)
                got = indicators.registry()[code].compute(start, end)
                assert got == {k: v for k, v in expected.items() if v}, (code, start.year)
                if code in batched:
                    assert batched[code][i] == got, (code, start.year)
                seen[code] += sum(len(v) if isinstance(v, list) else v for v in expected.values())
        # Each indicator counted something in the demo: none of these comparisons is of two empty sets.
        assert all(seen.values()), seen
        # Commissions (public bodies): met when one of their sessions was held in the year.
        met_by_year = indicators.commissions_met_by_period(periods)
        for i, (start, end) in enumerate(periods):
            held = {s.commission_id for s in CommissionSession.objects.all()
                    if s.status == "held" and start <= s.date <= end}  # fmt: skip
            bodies = [o.pk for o in Organisation.objects.all() if o.kind == "commission"]
            met = sum(1 for pk in bodies if pk in held)
            expected = {k: v for k, v in {"met": met, "not_met": len(bodies) - met}.items() if v}
            assert indicators.commissions_met(start, end) == expected
            assert met_by_year[i] == expected
