-- Smaller copies of published photos, for slow links: made by vipsthumbnail on the first
-- request for a width and kept. A photo's bytes never change (an attachment is immutable),
-- so neither does a copy.
CREATE TABLE publish.renditions (
  attachment_id uuid        NOT NULL,
  width         integer     NOT NULL CHECK (width IN (480, 960, 1600)),
  media_type    text        NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes         bytea       NOT NULL,
  made_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (attachment_id, width)
);
