from .catalogue import (
    GuardrailPolicySerializer,
    MetricSerializer,
    SegmentSerializer,
    SensitiveCategorySerializer,
    TouchpointSerializer,
)
from .checks import CheckSerializer
from .experiment import AllowedActionSerializer, ExperimentSerializer
from .lifecycle import EventSerializer, TransitionRefusalSerializer, TransitionRequestSerializer
from .overrides import OverrideAnswerSerializer, OverrideRequestSerializer, OverrideSerializer, VerdictSerializer
from .planning import CalculatorRequestSerializer, PlanningErrorSerializer, PlanSerializer
from .policy import PolicyReportSerializer, PolicySerializer
from .rows import MetricRowSerializer, VariantSerializer

__all__ = [
    "AllowedActionSerializer",
    "CalculatorRequestSerializer",
    "CheckSerializer",
    "EventSerializer",
    "ExperimentSerializer",
    "GuardrailPolicySerializer",
    "MetricRowSerializer",
    "MetricSerializer",
    "OverrideAnswerSerializer",
    "OverrideRequestSerializer",
    "OverrideSerializer",
    "PlanSerializer",
    "PlanningErrorSerializer",
    "PolicyReportSerializer",
    "PolicySerializer",
    "SegmentSerializer",
    "SensitiveCategorySerializer",
    "TouchpointSerializer",
    "TransitionRefusalSerializer",
    "TransitionRequestSerializer",
    "VariantSerializer",
    "VerdictSerializer",
]
