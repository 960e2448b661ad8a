"""Scenarios for LESS-33: what happens to work left running after the handler returns.

After a handler returns, the lab freezes its container: background work started with
`start_background` advances only while an invocation runs on that container, and
never if the container retires first. Each scenario returns a Verdict: one sentence
with the run's numbers, and the names of what went wrong. `wrong-answer`,
`skipped-work` and `error:<Type>` are shared by every scenario (see
`sima_lab.answers`); the others are named in the docstring.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import answer, errors_in, judge, same, unexpected_errors, wrong_answers

WARM = 8


def audit_written_during_its_request(lab: Lab) -> Verdict:
    """Nine logins; each one's audit record must be written during its own request.

    Logins u1 to u8 arrive one after another on one warm container; then the function
    is idle for 15 minutes (the container retires) and u9 starts a new one.

    Failures: `late-write` (a record was written during a later request),
    `lost-write` (a record was never written).
    """
    users = [f"u{n}" for n in range(1, WARM + 2)]
    records: list[Invocation] = []
    written_in: dict[str, int] = {}
    for index, user in enumerate(users):
        if index == WARM:
            lab.advance(15 * 60)
        records.append(lab.invoke({"user": user}))
        stored = lab.objects.keys()
        for key in stored:
            who = key.removeprefix("audit/")
            if key.startswith("audit/") and who not in written_in:
                written_in[who] = records[-1].number
    own = {user: n for n, user in enumerate(users, start=1)}
    late = {u: written_in[u] - own[u] for u in users if u in written_in and written_in[u] > own[u]}
    lost = [u for u in users if u not in written_in]
    on_time = len(users) - len(late) - len(lost)
    containers = len({r.container_id for r in records})
    worst = f" (up to {max(late.values())} request(s) late)" if late else ""
    return judge(
        f"{len(users)} logins on {containers} container(s), the last after 15 idle minutes: "
        f"{on_time} audit record(s) written during their own request, {len(late)} during a "
        f"later one{worst}, {len(lost)} never; {errors_in(records)}",
        unexpected_errors(records),
        late_write=late and f"{', '.join(sorted(late))} written late",
        lost_write=lost and f"{', '.join(lost)} never written",
        wrong_answer=wrong_answers(
            records,
            lambda r: same(answer(r.result, "user"), r.event["user"]),
            lambda r: f"the user {r.event['user']!r}",
        ),
    )
