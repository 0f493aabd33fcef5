"""The review agenda's "What we learned": the experiments lost, invalid or stopped since the last
review, each with its lesson, or flagged when the lesson is missing (a check ended it and nobody
wrote one yet; experiments.lessons is the rule). Kept in the meeting's summary, so the minutes
keep what the board read."""

from django.db.models import Q

from experiments import lessons
from experiments.models import Experiment, ExperimentEvent, Lesson


def learned_since(since, until) -> list[dict]:
    endings = ExperimentEvent.objects.filter(created_at__lt=until).filter(
        Q(action="stop") | Q(action="conclude", outcome__in=lessons.REQUIRED_OUTCOMES)
    )
    if since is not None:
        endings = endings.filter(created_at__gte=since)
    rows = []
    for experiment in Experiment.objects.filter(pk__in=endings.values("experiment")).order_by("key"):
        lesson = Lesson.objects.filter(experiment=experiment).first()
        rows.append(
            {
                "key": experiment.key,
                "title": experiment.title,
                "url": experiment.get_absolute_url(),
                "ending": experiment.outcome or experiment.status,
                "learned": lesson.learned if lesson else "",
                "differently": lesson.differently if lesson else "",
                "missing": lessons.lesson_missing(experiment),
            }
        )
    return rows
