-- Submission: every submission of a case is a version, kept with the canonical JSON of what
-- was submitted and its SHA-256 (the receipt), so that anyone holding the content can check
-- the receipt. A case's reference (GS7-0042) comes from its call's counter at its first
-- submission. What review must learn (submitted, withdrawn) waits in review_outbox, written
-- in the same transaction.
ALTER TABLE intake.calls ADD COLUMN next_case_number integer NOT NULL DEFAULT 1;

ALTER TABLE intake.cases ADD COLUMN submitted_number integer;
ALTER TABLE intake.cases ADD COLUMN submitted_case_version integer;

CREATE TABLE intake.case_versions (
  case_id      uuid        NOT NULL REFERENCES intake.cases (id),
  number       integer     NOT NULL CHECK (number > 0),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  submitted_by uuid        NOT NULL,
  canonical    text        NOT NULL,
  sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (case_id, number)
);

CREATE TABLE intake.review_outbox (
  id              bigserial   PRIMARY KEY,
  case_id         uuid        NOT NULL REFERENCES intake.cases (id),
  event           text        NOT NULL CHECK (event IN ('submitted', 'withdrawn')),
  case_number     integer     NOT NULL,
  payload         jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  delivered_at    timestamptz
);
CREATE INDEX review_outbox_due ON intake.review_outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE OR REPLACE FUNCTION intake.case_json(c intake.cases) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', c.id, 'call_id', c.call_id, 'organisation_id', c.organisation_id, 'status', c.status,
    'reference', c.reference, 'answers', c.answers, 'co_authors', c.co_authors,
    'contacts', c.contacts, 'declarations', to_jsonb(c.declarations), 'version', c.version,
    'created_by', c.created_by, 'created_at', intake.ts(c.created_at),
    'updated_at', intake.ts(c.updated_at),
    'last_submission', (SELECT jsonb_build_object('number', v.number, 'submitted_at', intake.ts(v.submitted_at),
                                                  'sha256', v.sha256)
                        FROM intake.case_versions v WHERE v.case_id = c.id AND v.number = c.submitted_number),
    'changed_since_submission', c.submitted_case_version IS NOT NULL AND c.version <> c.submitted_case_version)
$$;
