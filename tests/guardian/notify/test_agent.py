"""The parent's desktop agent, one visit at a time: what it shows, what it reports, when it says Guardian is gone."""

from __future__ import annotations

from guardian.notify.agent import BACK, DOWN, Agent, Unreachable
from guardian.notify.desktop import NotifyError


class Screen:
    def __init__(self, fail: int = 0):
        self.shown: list[tuple[str, str]] = []
        self.fail = fail

    def notify(self, title: str, body: str) -> None:
        if self.fail:
            self.fail -= 1
            raise NotifyError("no D-Bus session")
        self.shown.append((title, body))


class Service:
    def __init__(self):
        self.notes = [{"id": 1, "title": "Mia: refused", "body": "50 CNY"}, {"id": 2, "title": "Leo", "body": "x"}]
        self.up = True
        self.visits: list[tuple[list[int], str | None]] = []

    def __call__(self, url: str, token: str, shown: list[int], error: str | None) -> list[dict]:
        assert (url, token) == ("http://127.0.0.1:8765", "tok")
        if not self.up:
            raise Unreachable("connection refused")
        self.visits.append((list(shown), error))
        self.notes = [n for n in self.notes if n["id"] not in shown]
        return self.notes


def test_shows_each_note_once_and_reports_it_on_the_next_visit():
    service, screen = Service(), Screen()
    agent = Agent("http://127.0.0.1:8765", "tok", screen, fetch=service)
    agent.once(0)
    agent.once(3)
    agent.once(6)
    assert screen.shown == [("Mia: refused", "50 CNY"), ("Leo", "x")]
    assert service.visits == [([], None), ([1, 2], None), ([], None)]


def test_a_failed_notification_is_reported_and_shown_later_in_order():
    service, screen = Service(), Screen(fail=1)
    agent = Agent("http://127.0.0.1:8765", "tok", screen, fetch=service)
    agent.once(0)
    agent.once(3)
    agent.once(6)
    assert screen.shown == [("Mia: refused", "50 CNY"), ("Leo", "x")]
    assert service.visits[1] == ([], "no D-Bus session")


def test_the_parent_is_told_when_guardian_is_gone_and_when_it_is_back():
    service, screen = Service(), Screen()
    agent = Agent("http://127.0.0.1:8765", "tok", screen, fetch=service, down_after=30)
    service.notes, service.up = [], False
    agent.once(0)
    agent.once(29)
    assert screen.shown == []  # a restart (a few seconds) says nothing
    agent.once(30)
    agent.once(60)
    assert screen.shown == [DOWN]  # once
    service.up = True
    agent.once(63)
    assert screen.shown == [DOWN, BACK]
