-- a rare report: carts touched in the last seconds; touched_at is the
-- column every w_cart UPDATE changes
SELECT count(*), sum(items) FROM carts WHERE touched_at > now() - interval '5 seconds';
