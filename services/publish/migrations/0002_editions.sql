-- An edition: a named collection of the cases a call's review accepted (e.g. "Best Poverty
-- Reduction Practices 2026"), known by a slug that is part of every URL of its cases.
CREATE TABLE publish.editions (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  call_id     uuid        NOT NULL,
  title       jsonb       NOT NULL CHECK (jsonb_typeof(title) = 'object' AND title <> '{}'),
  description jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description) = 'object'),
  version     integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid        NOT NULL
);

-- A case in an edition as the organisers curate it: the submitted original (never changed),
-- the organisers' edits of its texts, translations with their provenance, the photos and
-- files chosen for the public, and its place in the ranking. Publishing it snapshots it into
-- an immutable version.
CREATE TABLE publish.entries (
  edition_id    uuid        NOT NULL REFERENCES publish.editions (id),
  reference     text        NOT NULL CHECK (reference ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  case_id       uuid        NOT NULL,
  source_number integer     NOT NULL CHECK (source_number > 0),
  source_sha256 text        NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
  original      jsonb       NOT NULL,
  organisation  jsonb,
  rank          integer,
  curated       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(curated) = 'object'),
  translations  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object'),
  photos        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(photos) = 'array'),
  public_files  jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(public_files) = 'array'),
  version       integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (edition_id, reference),
  UNIQUE (edition_id, case_id)
);

-- Published versions: what the public site, the API, the feeds and OAI-PMH serve. A version
-- never changes; a correction publishes the next number, and the earlier ones stay readable.
CREATE TABLE publish.versions (
  edition_id   uuid        NOT NULL REFERENCES publish.editions (id),
  reference    text        NOT NULL,
  number       integer     NOT NULL CHECK (number > 0),
  record       jsonb       NOT NULL,
  sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  note         text,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by uuid        NOT NULL,
  PRIMARY KEY (edition_id, reference, number),
  FOREIGN KEY (edition_id, reference) REFERENCES publish.entries (edition_id, reference)
);
CREATE INDEX versions_published ON publish.versions (published_at, edition_id, reference, number);

CREATE FUNCTION publish.versions_are_immutable() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'a published version is never changed or deleted' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER versions_immutable BEFORE UPDATE OR DELETE ON publish.versions
  FOR EACH ROW EXECUTE FUNCTION publish.versions_are_immutable();

-- The search index: one row per published case, its current version, with the facets.
-- `document` holds the texts stemmed by the case's language (Snowball) and, for Chinese and
-- Japanese, overlapping character bigrams (in text order, so that a phrase of bigrams finds a
-- word) and single characters.
CREATE TABLE publish.search (
  edition_id        uuid        NOT NULL,
  reference         text        NOT NULL,
  number            integer     NOT NULL,
  edition_slug      text        NOT NULL,
  language          text        NOT NULL,
  country           text,
  region            text,
  themes            text[]      NOT NULL DEFAULT '{}',
  organisation_kind text,
  title             text        NOT NULL,
  published_at      timestamptz NOT NULL,
  document          tsvector    NOT NULL,
  PRIMARY KEY (edition_id, reference),
  FOREIGN KEY (edition_id, reference, number) REFERENCES publish.versions (edition_id, reference, number)
);
CREATE INDEX search_document ON publish.search USING gin (document);
CREATE INDEX search_themes ON publish.search USING gin (themes);

-- The text search configuration for a language tag: Snowball stemming where Postgres has it,
-- else words as they are.
CREATE FUNCTION publish.text_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE split_part(lower(language), '-', 1)
    WHEN 'en' THEN 'english' WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish'
    WHEN 'ar' THEN 'arabic' WHEN 'ru' THEN 'russian' WHEN 'pt' THEN 'portuguese'
    ELSE 'simple' END::regconfig
$$;
