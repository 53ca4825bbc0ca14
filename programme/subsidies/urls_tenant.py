from django.urls import path

from programme.subsidies import views

urlpatterns = [path("dana-masuk/", views.incoming_page, name="incoming")]
