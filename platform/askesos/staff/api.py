from rest_framework import serializers
from rest_framework.generics import ListAPIView

from askesos.permissions import Action, ActionPermission
from askesos.staff.models import Membership


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "username", "full_name", "role", "is_active", "joined_at"]


class StaffListApi(ListAPIView):
    """The LPA's Tim Pengelola."""

    permission_classes = [ActionPermission]
    required_action = Action.STAFF_VIEW
    serializer_class = MembershipOutput
    queryset = Membership.objects.select_related("user")
    filterset_fields = ["role", "is_active"]
