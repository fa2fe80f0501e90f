-- A staff member's own time zone (IANA name); none means the programme's
-- (FRONTLINE_TIME_ZONE).
ALTER TABLE staff ADD COLUMN time_zone TEXT;
