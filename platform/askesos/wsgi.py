import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")
application = get_wsgi_application()

from askesos.system_checks import refuse_development_keys  # noqa: E402  (needs the apps)

refuse_development_keys()
