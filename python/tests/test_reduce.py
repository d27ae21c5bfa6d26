"""squashmigrations never folds index_advisor's Django operations.

Run by test/t/130_orm.pl from python/tests/django_project (its settings),
with the real Django (Debian's 3.2) and its real MigrationOptimizer, the
code squashmigrations runs.

Django 3.2's AddIndex inherits Operation.reduce() and folds nothing; from
Django 4.1 AddIndex.reduce() folds AddIndex + RemoveIndex of the same name
into nothing and AddIndex + RenameIndex into a *plain* AddIndex, which would
build the index without index_advisor.  ApplyIndex and RollbackIndex are
subclasses of AddIndex and RemoveIndex, so they would inherit that.  To
check this on 3.2, the second test class installs, for its duration,
AddIndex.reduce as Django 4.1-5.x define it (the RemoveIndex and
RenameIndex branches of django/db/migrations/operations/models.py; 3.2 has
no RenameIndex operation, so a rename is an operation with old_name and
new_name), then runs the same optimizer.
"""

import os
import sys
import unittest

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orm_site.settings")

import django  # noqa: E402

django.setup()

from django.db import models  # noqa: E402
from django.db.migrations.operations import AddField, AddIndex, RemoveIndex, RunSQL  # noqa: E402
from django.db.migrations.operations.models import IndexOperation  # noqa: E402
from django.db.migrations.optimizer import MigrationOptimizer  # noqa: E402

from index_advisor.django import (ApplyIndex, ApplyIndexDefinition,  # noqa: E402
                                  RollbackIndex, WaitForIndexes)


class RenameIndexOf41(IndexOperation):
    """The fields of Django 4.1's RenameIndex that AddIndex.reduce reads."""

    def __init__(self, model_name, new_name, old_name):
        self.model_name = model_name
        self.new_name = new_name
        self.old_name = old_name

    def state_forwards(self, app_label, state):
        pass


def reduce_of_41(self, operation, app_label):
    """AddIndex.reduce of Django 4.1 to 5.x."""
    if isinstance(operation, RemoveIndex) and self.index.name == operation.name:
        return []
    if isinstance(operation, RenameIndexOf41) and self.index.name == operation.old_name:
        self.index.name = operation.new_name
        return [AddIndex(model_name=self.model_name, index=self.index)]
    return super(AddIndex, self).reduce(operation, app_label)


def index():
    return models.Index(fields=["customer_id"], name="shop_task_cust_idx")


def optimize(operations):
    return MigrationOptimizer().optimize(operations, "shop")


class NeverFolded(unittest.TestCase):
    """What squashmigrations keeps, with the Django installed."""

    def check_kept(self, operations):
        result = optimize(list(operations))
        self.assertEqual([type(op) for op in result], [type(op) for op in operations])
        for before, after in zip(operations, result):
            self.assertIs(before, after)

    def test_apply_then_rollback(self):
        self.check_kept([ApplyIndex("task", index()), RollbackIndex("task", "shop_task_cust_idx")])

    def test_apply_then_plain_remove(self):
        self.check_kept([ApplyIndex("task", index()), RemoveIndex("task", "shop_task_cust_idx")])

    def test_around_other_operations(self):
        self.check_kept([ApplyIndex("task", index()),
                         AddField("task", "extra", models.IntegerField(null=True)),
                         WaitForIndexes(),
                         ApplyIndexDefinition("CREATE INDEX x ON shop_task (note)", "x"),
                         RollbackIndex("task", "shop_task_cust_idx")])

    def test_elidable_neighbour_dropped(self):
        op = ApplyIndex("task", index())
        self.assertEqual(optimize([op, RunSQL("SELECT 1", elidable=True)]), [op])


class NeverFoldedByLaterDjango(NeverFolded):
    """The same, with AddIndex.reduce as Django 4.1 and later define it."""

    def setUp(self):
        self.saved = AddIndex.__dict__.get("reduce")
        AddIndex.reduce = reduce_of_41

    def tearDown(self):
        if self.saved is None:
            del AddIndex.reduce
        else:
            AddIndex.reduce = self.saved

    def test_the_emulation_folds_plain_addindex(self):
        """(the emulation does what Django 4.1 does to a plain AddIndex)"""
        result = optimize([AddIndex("task", index()),
                           RenameIndexOf41("task", "shop_task_new_idx", "shop_task_cust_idx")])
        self.assertEqual([type(op) for op in result], [AddIndex])
        self.assertEqual(result[0].index.name, "shop_task_new_idx")

    def test_apply_then_rename(self):
        op = ApplyIndex("task", index())
        result = optimize([op, RenameIndexOf41("task", "shop_task_new_idx", "shop_task_cust_idx")])
        self.assertIs(result[0], op)
        self.assertEqual(op.index.name, "shop_task_cust_idx")
        self.assertEqual(len(result), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
