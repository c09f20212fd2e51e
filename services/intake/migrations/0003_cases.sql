-- Cases: a partner organisation's answers to a call's form, shared by the organisation's
-- members, saved as often as they like (each save a new version, for If-Match). The
-- organisation and the author are identity's; no foreign key crosses into that schema.
CREATE TABLE intake.cases (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  call_id         uuid        NOT NULL REFERENCES intake.calls (id),
  organisation_id uuid        NOT NULL,
  status          text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'withdrawn')),
  answers         jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
  co_authors      jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(co_authors) = 'array'),
  contacts        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(contacts) = 'array'),
  declarations    text[]      NOT NULL DEFAULT '{}',
  reference       text        UNIQUE,
  version         integer     NOT NULL DEFAULT 1,
  created_by      uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_organisation ON intake.cases (organisation_id, call_id);
CREATE INDEX cases_call ON intake.cases (call_id);

CREATE TRIGGER next_version BEFORE UPDATE ON intake.cases
  FOR EACH ROW EXECUTE FUNCTION intake.next_version();

-- Answers to writes sent with an Idempotency-Key: the same key and body get the first
-- answer again; the same key with another body is refused.
CREATE TABLE intake.idempotency (
  principal    text        NOT NULL,
  route        text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  status       integer     NOT NULL,
  body         text        NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, route, key)
);
CREATE INDEX idempotency_created ON intake.idempotency (created_at);

CREATE FUNCTION intake.case_json(c intake.cases) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', c.id, 'call_id', c.call_id, 'organisation_id', c.organisation_id, 'status', c.status,
    'reference', c.reference, 'answers', c.answers, 'co_authors', c.co_authors,
    'contacts', c.contacts, 'declarations', to_jsonb(c.declarations), 'version', c.version,
    'created_by', c.created_by, 'created_at', intake.ts(c.created_at),
    'updated_at', intake.ts(c.updated_at))
$$;
