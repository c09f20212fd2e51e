-- The working copy's version as it was when last published (or found unchanged by a
-- publication): an entry waits to be published while it differs from `version`. Null: never.
ALTER TABLE publish.entries ADD COLUMN published_version integer CHECK (published_version > 0);
