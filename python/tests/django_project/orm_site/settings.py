"""Settings of the test project: the database comes from the environment
(PGHOST, PGPORT, PGUSER, IA_DB), as test/t/130_orm.pl sets it; with
IA_ROUTER=no_crm a router keeps the app "crm" from migrating."""
import os

SECRET_KEY = "index_advisor-tests"
USE_TZ = True
INSTALLED_APPS = ["index_advisor.django", "shop", "crm"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("IA_DB", "postgres"),
        "HOST": os.environ.get("PGHOST", "/tmp"),
        "PORT": os.environ.get("PGPORT", "5432"),
        "USER": os.environ.get("PGUSER", "postgres"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
if os.environ.get("IA_ROUTER") == "no_crm":
    DATABASE_ROUTERS = ["orm_site.routers.NoCrm"]
