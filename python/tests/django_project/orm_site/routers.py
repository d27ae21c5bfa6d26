"""A database router for test/t/130_orm.pl: with IA_ROUTER=no_crm in the
environment (settings.py installs it then), the app "crm" may not migrate
on any database."""


class NoCrm:
    def allow_migrate(self, db, app_label, **hints):
        if app_label == "crm":
            return False
        return None
