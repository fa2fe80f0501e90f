ALTER TABLE staff DROP COLUMN time_zone;
