"""kill -9 of the server (master and workers) in the middle of a burst of writes through the real pages:
no acknowledged write is lost, no pathway is left half-written (the short version of bench/kill9_writes.py;
the full one runs more clients, longer, three times)."""

import kill9_writes


def test_kill9_during_a_burst_of_writes_loses_no_acknowledged_write(pg_server, migrated_template):
    result = kill9_writes.run(
        pg_server, clients=4, burst_seconds=4, rounds=1, template=migrated_template, say=lambda _: None
    )
    report = kill9_writes.describe(result)
    print(report)
    assert result.client_errors == [], report
    assert sum(result.acknowledged.values()) > 0, report
    (round_,) = result.rounds
    assert round_.processes_killed >= 3 and round_.in_flight_at_kill >= 1, report
    assert result.check["found"] == sum(result.acknowledged.values()), report
    assert result.check["lost"] == [], report
    assert result.check["half_written"] == [], report
    assert result.check["unexplained"] == [], report
    assert result.restart_write, report
    assert result.ok, report
