-- The language of the request that filed the case (en or zh-TW): e-mails
-- to the partner use it.
ALTER TABLE cases ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
