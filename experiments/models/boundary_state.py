"""The group sequential boundary state each running experiment's daily look extends.

One row per experiment and test design (a hash of alpha, spending, lattice step and the planned
size: everything the boundaries depend on besides the look fractions). The state holds the looks
it covers; the next look extends it when they are a prefix of its own, so a changed plan (another
hash) or other earlier looks start afresh. A cache, never a record: deleting the rows only makes
the next look recompute its boundaries (the same ones).
"""

from django.db import models

from .experiment import Experiment


class KeptBoundaryState(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="boundary_states")
    design_hash = models.CharField(max_length=64)
    looks = models.PositiveIntegerField()  # looks the state covers (for the admin and a glance)
    state = models.BinaryField()  # BoundaryState.to_bytes(): the grid as raw float64
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "design_hash"], name="unique_kept_boundary_state")]

    def __str__(self):
        return f"{self.experiment_id}/{self.design_hash[:8]}: {self.looks} looks"
