#!/usr/bin/env python3
"""manage.py of the Django project that test/t/130_orm.pl runs (fixture)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orm_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
