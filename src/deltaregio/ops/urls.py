from django.urls import URLPattern, path

from deltaregio.ops import views

app_name = "ops"
urlpatterns: list[URLPattern] = [path("health/", views.health, name="health")]
