"""The committed systemd units are exactly what the schedule in code generates."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from xinren.core.units import units_render
from xinren.schedule import JOBS

SYSTEMD = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def test_the_committed_units_are_the_generated_ones():
    # given
    generated = units_render(jobs=JOBS, time_zone=settings.TIME_ZONE)
    # then (run `manage.py schedule_units` after changing xinren/schedule.py)
    assert {name: (SYSTEMD / name).read_text() for name in generated} == generated


def test_every_committed_timer_belongs_to_a_job_of_the_schedule():
    # given
    generated = units_render(jobs=JOBS, time_zone=settings.TIME_ZONE)
    # then: no timer left behind by a job that was removed or renamed
    assert sorted(path.name for path in SYSTEMD.glob("*.timer")) == sorted(n for n in generated if n.endswith(".timer"))


def test_a_job_unit_queues_its_slot_and_its_timer_follows_the_cadence():
    # when
    units = units_render(jobs=JOBS, time_zone="Asia/Shanghai")
    # then
    assert "ExecStart=/srv/xinren/app/.venv/bin/python manage.py schedule_run orders-expire\n" in (
        units["xinren-orders-expire.service"]
    )
    assert "OnCalendar=*-*-* *:00/5:00 Asia/Shanghai\nPersistent=true\n" in units["xinren-orders-expire.timer"]
    assert "OnCalendar=*-*-* 03:30:00 Asia/Shanghai\n" in units["xinren-tiers-evaluate.timer"]
    assert "manage.py tasks_worker --no-schedule --worker-id %H-%i\n" in units["xinren-tasks-worker@.service"]
    assert "manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler --name %H-%i default\n" in (
        units["xinren-rq-worker@.service"]
    )
