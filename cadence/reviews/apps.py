from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "cadence.reviews"
    label = "reviews"
    verbose_name = _("Monthly promotion review")

    def ready(self):
        from django.db.models.signals import post_save

        from cadence.reviews.models import ReviewSeries
        from cadence.reviews.occurrences import on_series_saved

        post_save.connect(on_series_saved, sender=ReviewSeries, dispatch_uid="reviews-series-periodic-task")

        from cadence.reviews.decisions import promotion_guard, rollout_on_promote
        from experiments import lifecycle

        # Promotion only through the review: the lifecycle asks for the review's promote decision.
        lifecycle.register_guard("promote", self.label, promotion_guard)
        # The promote decision ships the winner: its arm is rolled out (experiments.rollouts).
        lifecycle.register_after_move(self.label, rollout_on_promote)
