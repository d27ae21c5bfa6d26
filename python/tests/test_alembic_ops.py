"""index_advisor's Alembic operations invert as Alembic's own do, and exist
in batch mode.

Run by test/t/130_orm.pl with the real Alembic (Debian's 1.8); no database:
the revisions of that test run the same operations against the server.

reverse() is what autogenerate calls to write a downgrade
(UpgradeOps.reverse()): apply_index and rollback_index invert each other as
create_index and drop_index do (a rollback_index written by hand has no
original to return, as a drop_index without from_index has none), and
apply_index_definition inverts only when it knows its index_name.
"""

import inspect
import unittest

from alembic.operations import BatchOperations, Operations
from alembic.operations.ops import DowngradeOps, UpgradeOps

from index_advisor.alembic import (ApplyIndexDefinitionOp, ApplyIndexOp,  # noqa: F401
                                   RollbackIndexOp, WaitForIndexesOp)


class Reverse(unittest.TestCase):

    def test_apply_index_reverses_to_its_rollback_and_back(self):
        apply = ApplyIndexOp("t_a_idx", "t", ["a"], schema="s", queries=["SELECT 1"], migration="r1")
        rollback = apply.reverse()
        self.assertIsInstance(rollback, RollbackIndexOp)
        self.assertEqual((rollback.index_name, rollback.schema, rollback.migration), ("t_a_idx", "s", "r1"))
        self.assertIs(rollback.reverse(), apply)

    def test_apply_index_definition_with_its_name(self):
        apply = ApplyIndexDefinitionOp("CREATE INDEX t_b_idx ON s.t (b)", migration="r1",
                                       index_name="t_b_idx", schema="s")
        rollback = apply.reverse()
        self.assertEqual((rollback.index_name, rollback.schema, rollback.migration), ("t_b_idx", "s", "r1"))
        self.assertIs(rollback.reverse(), apply)

    def test_not_reversible_without_what_it_needs(self):
        with self.assertRaises(ValueError):
            ApplyIndexDefinitionOp("CREATE INDEX t_b_idx ON t (b)").reverse()
        with self.assertRaises(ValueError):
            RollbackIndexOp("t_a_idx").reverse()

    def test_wait_reverses_to_a_wait(self):
        self.assertEqual(WaitForIndexesOp(60).reverse().timeout, 60)

    def test_upgrade_ops_reverse_as_autogenerate_does(self):
        ops = [ApplyIndexOp("t_a_idx", "t", ["a"]), ApplyIndexOp("t_b_idx", "t", ["b"]), WaitForIndexesOp()]
        down = UpgradeOps(ops=ops).reverse()
        self.assertIsInstance(down, DowngradeOps)
        self.assertEqual([type(o) for o in down.ops], [WaitForIndexesOp, RollbackIndexOp, RollbackIndexOp])
        self.assertEqual([o.index_name for o in down.ops[1:]], ["t_b_idx", "t_a_idx"])


class Batch(unittest.TestCase):

    def test_batch_forms_take_no_table(self):
        """batch_op.apply_index(index_name, columns, ...), as batch_op.create_index."""
        params = list(inspect.signature(BatchOperations.apply_index).parameters)
        self.assertEqual(params[:3], ["self", "index_name", "columns"])
        params = list(inspect.signature(BatchOperations.rollback_index).parameters)
        self.assertEqual(params[:2], ["self", "index_name"])
        self.assertNotIn("schema", params)

    def test_plain_forms_unchanged(self):
        params = list(inspect.signature(Operations.apply_index).parameters)
        self.assertEqual(params[:4], ["self", "index_name", "table_name", "columns"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
