/* index_advisor 0.1 -> 0.2.
 *
 * This upgrade script is assembled by the Makefile from the parts in
 * src/update/0.1--0.2/ (in name order), one part per subject, while 0.2 is
 * unreleased.  On release the assembled script is committed as
 * index_advisor--0.1--0.2.sql and never edited again, like
 * index_advisor--0.1.sql.
 *
 * A fresh CREATE EXTENSION index_advisor runs index_advisor--0.1.sql and
 * then this script (as pg_stat_statements does), so that a new install and
 * an upgraded one cannot differ; test/t/065_upgrade.pl compares them from
 * the catalogs anyway. */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION index_advisor UPDATE TO '0.2'" to load this file. \quit
