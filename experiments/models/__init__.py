from .catalogue import GuardrailPolicy, Metric, NeverTestArea, Segment, SensitiveCategory, Touchpoint
from .event import ExperimentEvent
from .experiment import (
    ACTIVE_STATUSES,
    EDITABLE_STATUSES,
    DataSource,
    EffectUnit,
    Experiment,
    ExperimentMetric,
    MetricRole,
    Outcome,
    Status,
    Variant,
)
from .service_key import ServiceKey, ServiceKeyAction
from .live import (
    AssignedUnit,
    AssignmentCount,
    CellSource,
    Check,
    DailyAggregate,
    DailyStat,
    SegmentDailyStat,
    IngestBatch,
    Observation,
)
from .boundary_state import KeptBoundaryState
from .lesson import LESSON_MAX_CHARS, Lesson
from .override import Override
from .charter import CharterDuty, Duty, ExperimentResponseOwner
from .rollout import Rollout

__all__ = [
    "ACTIVE_STATUSES",
    "AssignedUnit",
    "AssignmentCount",
    "CellSource",
    "CharterDuty",
    "Duty",
    "ExperimentResponseOwner",
    "Check",
    "DailyAggregate",
    "DailyStat",
    "SegmentDailyStat",
    "DataSource",
    "IngestBatch",
    "KeptBoundaryState",
    "LESSON_MAX_CHARS",
    "Lesson",
    "Observation",
    "EDITABLE_STATUSES",
    "EffectUnit",
    "Experiment",
    "ExperimentEvent",
    "ExperimentMetric",
    "GuardrailPolicy",
    "Metric",
    "MetricRole",
    "NeverTestArea",
    "Outcome",
    "Override",
    "Rollout",
    "Segment",
    "ServiceKey",
    "ServiceKeyAction",
    "SensitiveCategory",
    "Status",
    "Touchpoint",
    "Variant",
]
