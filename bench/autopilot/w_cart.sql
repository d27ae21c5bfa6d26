-- the hottest write: a cart changes; touched_at changes with it
\set cart random(1, :carts)
UPDATE carts SET items = items + 1, touched_at = now() WHERE id = :cart;
