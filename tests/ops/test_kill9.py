"""kill -9 of the server (master and workers) in the middle of a burst of writes through the real pages:
no acknowledged write is lost, none lacks its journal row, no pathway is left half-written (the short version
of bench/kill9_writes.py; the full one runs more clients, longer, three times).

The kill must have cut at least one request inside the server (sent before the kill, connection dropped
without an answer), else the round is run again, up to 4 times: before this, a kill that fell between two
requests passed, and nothing checked the journal rows of the writes.
"""

import kill9_writes


def test_kill9_during_a_burst_of_writes_loses_no_acknowledged_write(pg_server, migrated_template):
    result = kill9_writes.run(
        pg_server,
        clients=4,
        burst_seconds=4,
        rounds=1,
        max_rounds=4,
        template=migrated_template,
        say=lambda _: None,
    )
    report = kill9_writes.describe(result)
    print(report)
    assert result.client_errors == [], report
    acknowledged = sum(result.acknowledged.values())
    assert acknowledged > 0, report
    # A transaction was actually cut: at least one write sent before a kill never got its answer.
    assert result.cut >= 1, report
    assert sum(result.attempted.values()) > acknowledged, report
    assert 1 <= len(result.rounds) <= 4, report
    assert all(r.processes_killed >= 3 for r in result.rounds), report
    assert result.check["found"] == acknowledged, report
    assert result.check["lost"] == [], report
    # Every acknowledged write has its journal row (the person it is about, the account that made it).
    assert result.check["unjournaled"] == [], report
    assert result.check["journaled"] == acknowledged, report
    assert result.check["half_written"] == [], report
    assert result.check["unexplained"] == [], report
    assert result.restart_write, report
    assert result.ok, report


def test_a_write_cut_by_the_kill_is_told_from_one_refused_or_sent_after():
    """The definition of a cut request, on hand-made writes."""
    killed_at = 100.0
    cut = kill9_writes.Write("person", "m1", began=99.0, outcome="connection lost (RemoteDisconnected)")
    after = kill9_writes.Write("person", "m2", began=101.0, outcome="connection lost (RemoteDisconnected)")
    lost = "connection lost (ConnectionRefusedError)"
    refused = kill9_writes.Write("person", "m3", began=99.0, outcome=lost)
    answered = kill9_writes.Write("person", "m4", began=99.0, acknowledged=True, outcome="acknowledged")
    assert cut.cut_by(killed_at)
    assert not after.cut_by(killed_at) and not refused.cut_by(killed_at) and not answered.cut_by(killed_at)
    assert not cut.cut_by(None)
