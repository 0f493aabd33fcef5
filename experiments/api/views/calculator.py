"""POST /api/calculator/: the live sample-size calculator behind the experiment form."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments import contract, planning
from experiments.api.serializers import CalculatorRequestSerializer, RefusalSerializer, PlanSerializer
from experiments.api.serializers.planning import CalculatorPlanSerializer
from experiments.errors import Invalid


class CalculatorView(APIView):
    @extend_schema(
        summary="Units per arm and days needed for a proposal being written",
        request=CalculatorRequestSerializer,
        responses={
            200: CalculatorPlanSerializer,
            400: OpenApiResponse(RefusalSerializer, description="Field errors, or inputs that cannot be planned."),
        },
    )
    def post(self, request):
        body = CalculatorRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        start, end = data.get("planned_start"), data.get("planned_end")
        rules = contract.load_rules()
        # Planned at the exposure the policy allows: a cap above it would never be approved.
        exposure = min(data["exposure_cap_pct"], rules.max_exposure_pct)
        limits = contract.limit_problems(
            {
                "planned_start": start,
                "planned_end": end,
                "exposure_cap_pct": data["exposure_cap_pct"],
                "min_runtime_days": data.get("min_runtime_days"),
            },
            policy=rules,
        )
        try:
            plan = planning.plan_from_rows(
                metric_rows=data["metrics"],
                variant_rows=data["variants"],
                alpha=data.get("alpha", 0.05),
                power=data.get("power", 0.8),
                daily_traffic=data.get("expected_daily_traffic"),
                exposure_pct=exposure,
                planned_days=(end - start).days + 1 if start and end else None,
                expected_correlation=data.get("expected_correlation") or 0.0,
            )
        except planning.PlanningError as error:
            raise Invalid(str(error), field=error.field) from error
        body = dict(PlanSerializer(plan).data)
        body["planned_exposure_pct"] = contract.percent(exposure)
        body["policy_problems"] = limits
        body["expected_correlation"] = plan.expected_correlation
        body["total_units_without_cuped"] = plan.total_units_without_cuped
        return Response(body)
