from .catalogue import (
    GuardrailPolicySerializer,
    MetricSerializer,
    SegmentSerializer,
    SensitiveCategorySerializer,
    TouchpointSerializer,
)
from .checks import CheckSerializer
from .experiment import AllowedActionSerializer, ExperimentSerializer
from .lifecycle import EventSerializer, RefusalSerializer, TransitionRequestSerializer
from .overrides import OverrideAnswerSerializer, OverrideRequestSerializer, OverrideSerializer, VerdictSerializer
from .planning import CalculatorRequestSerializer, PlanSerializer
from .policy import PolicyReportSerializer, PolicySerializer
from .rollouts import RolloutRequestSerializer, RolloutRevertSerializer, RolloutSerializer, RolloutStateSerializer
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
    "PolicyReportSerializer",
    "PolicySerializer",
    "SegmentSerializer",
    "SensitiveCategorySerializer",
    "TouchpointSerializer",
    "RefusalSerializer",
    "RolloutRequestSerializer",
    "RolloutRevertSerializer",
    "RolloutSerializer",
    "RolloutStateSerializer",
    "TransitionRequestSerializer",
    "VariantSerializer",
    "VerdictSerializer",
]
