from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "askesos.geo"
    label = "geo"
    verbose_name = "Wilayah"
