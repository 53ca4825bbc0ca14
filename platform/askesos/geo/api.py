from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from askesos.geo.models import District, Province, Regency, Village


class _AreaOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProvinceListApi(ListAPIView):
    """Provinces (public reference data, ODbL)."""

    permission_classes = [AllowAny]
    serializer_class = _AreaOutput
    queryset = Province.objects.all()
    pagination_class = None


class RegencyListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = _AreaOutput
    queryset = Regency.objects.all()
    filterset_fields = ["province"]


class DistrictListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = _AreaOutput
    queryset = District.objects.all()
    filterset_fields = ["regency"]


class VillageListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = _AreaOutput
    queryset = Village.objects.all()
    filterset_fields = ["district"]
