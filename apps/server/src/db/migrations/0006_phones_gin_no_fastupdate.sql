-- Imports look customers up by phone (phones @> array[key]) for every row. With GIN "fastupdate" on, new entries
-- wait in an unsorted pending list that every lookup scans in full, so lookups slow down linearly while an import
-- inserts. Off: each insert updates the index directly and lookups stay index probes.
ALTER INDEX "customers_phones_idx" SET (fastupdate = off);
