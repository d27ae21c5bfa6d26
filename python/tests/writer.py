"""A writer for test/t/130_orm.pl: inserts into shop_task, one row per
transaction, until the file given as argument exists; then prints how many
inserts it made and the longest one took, in milliseconds."""
import os
import sys
import time

import psycopg2

stop = sys.argv[1]
conn = psycopg2.connect(dbname=os.environ["IA_DB"], application_name="orm_writer")
conn.autocommit = True
cur = conn.cursor()
count, longest = 0, 0.0
while not os.path.exists(stop):
    t0 = time.monotonic()
    cur.execute("INSERT INTO shop_task (assigned_department_id, status, task_type, customer_id, note)"
                " VALUES (1, 'open', 'w', 1, '')")
    longest = max(longest, (time.monotonic() - t0) * 1000)
    count += 1
    time.sleep(0.01)
print("inserts=%d longest_ms=%.1f" % (count, longest))
