from .catalogue import GuardrailPolicy, Metric, Segment, SensitiveCategory, Touchpoint
from .event import ExperimentEvent
from .experiment import EffectUnit, Experiment, ExperimentMetric, MetricRole, Outcome, Status, Variant

__all__ = [
    "EffectUnit",
    "Experiment",
    "ExperimentEvent",
    "ExperimentMetric",
    "GuardrailPolicy",
    "Metric",
    "MetricRole",
    "Outcome",
    "Segment",
    "SensitiveCategory",
    "Status",
    "Touchpoint",
    "Variant",
]
